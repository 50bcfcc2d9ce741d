import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { parseChangelog } from '../../manifest/deb-changelog.ts';
import { readDebChangelog } from './deb-changelog-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-deb-changelog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real .deb made by dpkg-deb, with the given files under its root. */
function deb(name: string, files: Record<string, Buffer | string>): string {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN/control'), `Package: ${name}\nVersion: 1.0-2\nArchitecture: all\nMaintainer: T <t@herd.invalid>\nDescription: t\n`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const out = join(dir, `${name}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, out], { stdio: 'ignore' });
  return out;
}

const TEXT = 'hello (1.0-2) bookworm-security; urgency=high\n\n  * Fix CVE-2026-1234.\n\n -- T <t@herd.invalid>  Sat, 21 Nov 2026 10:00:00 +0000\n\nhello (1.0-1) bookworm; urgency=low\n\n  * Initial.\n\n -- T <t@herd.invalid>  Sat, 01 Nov 2026 10:00:00 +0000\n';

test('the changelog a .deb carries, read without unpacking it', async () => {
  const file = deb('hello', { 'usr/share/doc/hello/changelog.Debian.gz': gzipSync(TEXT), 'usr/bin/hello': '#!/bin/sh\n' });
  const text = await readDebChangelog(file, 'hello');
  assert.equal(text, TEXT);
  assert.deepEqual(parseChangelog(text!).map((e) => [e.version, e.cves]), [['1.0-2', ['CVE-2026-1234']], ['1.0-1', []]]);
});

test('a package without its own changelog: undefined; a file that is not a .deb: an error naming it', async () => {
  assert.equal(await readDebChangelog(deb('nodoc', { 'usr/bin/x': 'x' }), 'nodoc'), undefined);
  const notDeb = join(dir, 'not.deb');
  writeFileSync(notDeb, 'garbage');
  await assert.rejects(readDebChangelog(notDeb, 'x'), /not\.deb/);
});

test('names are arguments, not shell text', async () => {
  const file = deb('safe', { 'usr/share/doc/safe/changelog.Debian.gz': gzipSync(TEXT) });
  const marker = join(dir, 'pwned');
  assert.equal(await readDebChangelog(file, `safe"; touch ${marker}; echo "`), undefined);
  assert.throws(() => execFileSync('test', ['-e', marker]), 'no command ran');
});
