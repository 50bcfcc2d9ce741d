import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tarArchive } from './tar-writer.ts';

const entries = [
  { type: 'dir' as const, path: 'bin', mode: 0o755 },
  { type: 'file' as const, path: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
  { type: 'symlink' as const, path: 'bin/sh', target: 'tool' },
  { type: 'dir' as const, path: 'tmp', mode: 0o1777 },
  { type: 'file' as const, path: 'big', mode: 0o600, data: Buffer.alloc(1000, 7) },
];

test('GNU tar reads back every member with its type, mode, size and content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herd-tar-'));
  try {
    writeFileSync(join(dir, 'a.tar'), tarArchive(entries, 1735689600));
    const listing = spawnSync('tar', ['--numeric-owner', '-tvf', join(dir, 'a.tar')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, /^drwxr-xr-x 0\/0\s+0 2025-01-01 00:00 bin\/$/m);
    assert.match(listing.stdout, /^lrwxrwxrwx .* bin\/sh -> tool$/m);
    assert.match(listing.stdout, /^drwxrwxrwt .* tmp\/$/m);
    const x = spawnSync('tar', ['-xf', 'a.tar', '-C', dir, '--no-same-owner'], { cwd: dir, encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.equal(readFileSync(join(dir, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(statSync(join(dir, 'bin/tool')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dir, 'bin/sh')), 'tool');
    assert.deepEqual(readFileSync(join(dir, 'big')), Buffer.alloc(1000, 7));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same entries give the same bytes, in 512-byte blocks ending with two empty ones', () => {
  const a = tarArchive(entries);
  assert.deepEqual(a, tarArchive(entries));
  assert.equal(a.length % 512, 0);
  assert.ok(a.subarray(a.length - 1024).every((b) => b === 0));
  assert.notDeepEqual(a, tarArchive(entries.slice(1)));
});

test('a name ustar cannot hold is refused, not cut', () => {
  assert.throws(() => tarArchive([{ type: 'dir', path: 'x'.repeat(101), mode: 0o755 }]), /longer than 100 bytes/);
});
