import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { hasTools } from '../../../test/helpers/host.ts';
import { runCommand } from '../host/run-command.ts';
import { sha256File } from '../fs/checksum.ts';
import { writeOciArchive } from './write-oci-archive.ts';
import { tagOf, type ImageSettings } from './image-spec.ts';

const skip = hasTools('tar', 'gzip') ? false : 'needs GNU tar and gzip';
const EPOCH = 1_700_000_000;
const run = (argv: string[], opts?: Parameters<typeof runCommand>[1]) => runCommand(argv, opts);
const settings: ImageSettings = {
  architecture: 'amd64', os: 'linux', epoch: EPOCH, env: ['PATH=/usr/bin:/bin'], cmd: ['/bin/bash'],
  labels: { 'org.opencontainers.image.title': 'Fixture', 'org.opencontainers.image.version': '1.0' },
  createdBy: 'herd build fixture', refName: 'herd-fixture:1.0',
};

/** A small image-like tree: nested folders, a hard link, a symlink, a long name, a file under /dev. */
function fixtureTree(root: string): string {
  const t = join(root, 'tree');
  mkdirSync(join(t, 'etc'), { recursive: true });
  mkdirSync(join(t, 'usr/bin'), { recursive: true });
  mkdirSync(join(t, 'dev/pts'), { recursive: true });
  writeFileSync(join(t, 'etc/os-release'), 'ID=debian\n');
  writeFileSync(join(t, 'usr/bin/tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  linkSync(join(t, 'usr/bin/tool'), join(t, 'usr/bin/tool-alias'));
  symlinkSync('usr/bin', join(t, 'bin'));
  writeFileSync(join(t, 'dev/null-standin'), '');
  mkdirSync(join(t, 'etc/many'));
  for (const n of ['zeta', 'alpha', 'Mu', 'beta-2', 'beta', 'omega', '_x', 'k9', 'k10', 'delta.d']) writeFileSync(join(t, 'etc/many', n), n);
  const long = join(t, 'usr', 'share', 'x'.repeat(90), 'y'.repeat(90));
  mkdirSync(long, { recursive: true });
  writeFileSync(join(long, 'file'), 'long name\n');
  return t;
}

/** Every entry's mtime and atime set to `when` (the build's "now", which must not reach the archive). */
function touchAll(tree: string, when: number) {
  execFileSync('find', [tree, '-exec', 'touch', '-h', '-d', `@${when}`, '{}', '+']);
}

async function build(tree: string, root: string, s = settings) {
  const work = join(root, `work-${Math.random().toString(36).slice(2)}`);
  mkdirSync(work);
  const out = join(work, 'image.oci.tar');
  return { ...(await writeOciArchive(run, tree, s, out, work)), out };
}

function unpack(archive: string, into: string): string {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', into]);
  return into;
}

test('the same tree built twice, at other times and in another folder, gives the same archive and digests', { skip }, async () => {
  const a = tempDir('herd-oci-a-');
  const b = tempDir('herd-oci-b-');
  const ta = fixtureTree(a);
  touchAll(ta, EPOCH + 5000);
  const tb = join(b, 'elsewhere');
  execFileSync('cp', ['-a', ta, tb]); // -a keeps the hard link (fs.cpSync would not)
  // other mtimes, all newer than the epoch: the clamp must make them equal
  touchAll(tb, EPOCH + 99_999);
  // an older file's sub-second part (which the tar would keep in a pax mtime record) is left out
  execFileSync('touch', ['-d', `@${EPOCH - 100}.25`, join(ta, 'etc/os-release')]);
  execFileSync('touch', ['-d', `@${EPOCH - 100}.75`, join(tb, 'etc/os-release')]);
  const first = await build(ta, a);
  const second = await build(tb, b);
  assert.equal(second.manifestDigest, first.manifestDigest);
  assert.equal(second.layerDigest, first.layerDigest);
  assert.equal(second.archiveSha256, first.archiveSha256);
  assert.equal(await sha256File(second.out), first.archiveSha256);
});

test('a changed file, or a changed label, gives another manifest digest', { skip }, async () => {
  const a = tempDir('herd-oci-c-');
  const t = fixtureTree(a);
  const first = await build(t, a);
  writeFileSync(join(t, 'etc/os-release'), 'ID=debian\nVERSION_ID=13\n');
  const changed = await build(t, a);
  assert.notEqual(changed.layerDigest, first.layerDigest);
  assert.notEqual(changed.manifestDigest, first.manifestDigest);
  const relabelled = await build(t, a, { ...settings, labels: { ...settings.labels, 'org.opencontainers.image.version': '1.1' } });
  assert.equal(relabelled.layerDigest, changed.layerDigest);
  assert.notEqual(relabelled.manifestDigest, changed.manifestDigest);
});

test('the archive is an OCI image layout whose index, manifest, config and layer agree', { skip }, async () => {
  const a = tempDir('herd-oci-d-');
  const t = fixtureTree(a);
  touchAll(t, EPOCH + 10);
  const r = await build(t, a);
  const layout = unpack(r.out, join(a, 'layout'));
  assert.deepEqual(JSON.parse(readFileSync(join(layout, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const blob = (d: string) => readFileSync(join(layout, 'blobs/sha256', d.replace(/^sha256:/, '')));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, r.manifestDigest);
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'herd-fixture:1.0');
  assert.deepEqual(index.manifests[0].platform, { architecture: 'amd64', os: 'linux' });
  const manifest = JSON.parse(blob(r.manifestDigest).toString());
  assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.equal(manifest.layers[0].size, blob(r.layerDigest).length);
  const config = JSON.parse(blob(manifest.config.digest).toString());
  assert.equal(config.created, '2023-11-14T22:13:20Z');
  assert.equal(config.architecture, 'amd64');
  assert.deepEqual(config.config.Cmd, ['/bin/bash']);
  assert.deepEqual(config.rootfs.diff_ids, [r.diffId]);
  // every blob is named by its own digest
  for (const d of [r.manifestDigest, r.layerDigest, manifest.config.digest]) {
    const { createHash } = await import('node:crypto');
    assert.equal(`sha256:${createHash('sha256').update(blob(d)).digest('hex')}`, d);
  }

  // the layer: names without "./", sorted, mtimes clamped, hard link kept, nothing of /dev but the folder
  const layerFile = join(a, 'layer.tar.gz');
  writeFileSync(layerFile, blob(r.layerDigest));
  const listing = execFileSync('tar', ['-tvzf', layerFile, '--full-time', '--numeric-owner'], { env: { ...process.env, TZ: 'UTC' } }).toString();
  const names = execFileSync('tar', ['-tzf', layerFile]).toString().trim().split('\n');
  assert.ok(names.includes('dev/'), 'the /dev folder itself is kept');
  // within each folder, entries come in byte order whatever order the file system lists them in
  const many = names.filter((n) => n.startsWith('etc/many/')).map((n) => n.slice('etc/many/'.length)).filter(Boolean);
  assert.equal(many.length, 10);
  assert.deepEqual(many, [...many].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  assert.ok(!names.some((n) => n.startsWith('dev/') && n !== 'dev/'), `nothing under /dev: ${names.filter((n) => n.startsWith('dev/'))}`);
  assert.ok(!names.some((n) => n.startsWith('./') || n.startsWith('/')), 'relative names without ./');
  assert.ok(names.some((n) => n.endsWith(`${'y'.repeat(90)}/file`)), 'a name longer than ustar allows survives');
  assert.match(listing, /usr\/bin\/tool-alias link to usr\/bin\/tool|usr\/bin\/tool link to usr\/bin\/tool-alias/);
  for (const line of listing.trim().split('\n')) assert.match(line, /2023-11-14 22:13:(10|20)/, `mtime clamped: ${line}`);
  // no pax record carries the build's time or PID
  const raw = execFileSync('gzip', ['-dc', layerFile]).toString('latin1');
  assert.doesNotMatch(raw, /\batime=|\bctime=|\bmtime=|PaxHeaders\.\d+/);
});

test('tags are made of the characters a tag allows', () => {
  assert.equal(tagOf('13.20261130'), '13.20261130');
  assert.equal(tagOf('1.0+deb13~rc1'), '1.0-deb13-rc1');
  assert.equal(tagOf('.hidden'), 'hidden');
});
