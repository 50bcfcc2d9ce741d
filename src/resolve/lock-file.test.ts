import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLock, withPackages, type LockFile } from './lock-file.ts';
import { resolveInputs } from './resolve.ts';
import { loadRecipe } from '../recipe/load.ts';

const dir = tempDir('herd-lock-');
const canary = { name: 'herd-canary', version: '1.0', architecture: 'all', filename: 'pool/main/herd-canary_1.0_all.deb', size: 700, sha256: 'c'.repeat(64) };
const lock: LockFile = {
  schemaVersion: 2, codename: 'bookworm', sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
  archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: ['bookworm'], components: ['main'] }], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' },
  suites: [{ uri: 'http://deb.debian.org/debian', suite: 'bookworm', date: 'Tue, 24 Nov 2026 02:12:15 UTC', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
  packages: [canary],
};
const text = (v: unknown) => JSON.stringify(v);
const invalid = (v: unknown, message: RegExp) => assert.throws(() => parseLock(typeof v === 'string' ? v : text(v), 'resolved.json'), (e: any) => {
  assert.equal(e.code, 'lock.invalid');
  assert.match(e.message, message);
  return true;
});

test('a complete lock parses', () => {
  assert.deepEqual(parseLock(text(lock), 'resolved.json'), lock);
});

test('locks that cannot pin are refused with the reason', () => {
  invalid('{', /not JSON/);
  invalid({ ...lock, schemaVersion: 1 }, /schema version 1 records only the archive state/);
  invalid({ ...lock, packages: undefined }, /lists no packages/);
  invalid({ ...lock, packages: [] }, /lists no packages/);
  invalid({ ...lock, packages: [canary, canary] }, /herd-canary is listed twice/);
  invalid({ ...lock, packages: [{ ...canary, sha256: 'C'.repeat(64) }] }, /packages\.0\.sha256/);
  invalid({ ...lock, packages: [{ ...canary, filename: '../../etc/passwd.deb' }] }, /packages\.0\.filename/);
  invalid({ ...lock, packages: [{ ...canary, filename: '/pool/x.deb' }] }, /packages\.0\.filename/);
  invalid({ ...lock, packages: [{ ...canary, size: 0 }] }, /packages\.0\.size/);
  invalid({ ...lock, surprise: 1 }, /surprise/);
});

test('withPackages adds what the rootfs step recorded, and nothing when it recorded nothing usable', () => {
  const { packages: _p, ...resolved } = lock;
  assert.deepEqual(withPackages(resolved, [canary]).packages, [canary]);
  assert.equal(withPackages(resolved, undefined).packages, undefined);
  assert.equal(withPackages(resolved, [{ name: 'x' }]).packages, undefined);
});

function recipe(release = '12'): string {
  const f = join(dir, `r${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, `name: mini\ndescription: d\ndistribution:\n  name: debian\n  release: "${release}"\n`);
  return f;
}

test('resolving with a lock asks no archive and carries its state, SOURCE_DATE_EPOCH and packages', async () => {
  const file = join(dir, 'resolved.json');
  writeFileSync(file, text({ ...lock, sourceDateEpoch: 1795486000 }));
  const r = await resolveInputs(loadRecipe(recipe()), { lockFile: file, fetcher: async () => assert.fail('a locked resolve must not fetch') });
  assert.deepEqual(r.suites, lock.suites);
  assert.equal(r.sourceDateEpoch, 1795486000);
  assert.deepEqual(r.packages, [canary]);
  // the recipe's archive, not the lock's: a locked build may fetch the same files from a snapshot mirror
  assert.equal(r.archive.sources.length, 2);
});

test('a lock for another release is refused', async () => {
  const file = join(dir, 'resolved-12.json');
  writeFileSync(file, text(lock));
  await assert.rejects(resolveInputs(loadRecipe(recipe('13')), { lockFile: file }), { code: 'lock.recipe_mismatch' });
});
