import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatherLockedDebs, writeLocalRepo } from './local-repo.ts';
import { debCacheName, parsePackagesIndex } from './apt-index.ts';
import type { LockedPackage } from './package-manager.ts';
import { makeDeb } from '../../../test/helpers/apt-archive.ts';
import { hasTools } from '../../../test/helpers/host.ts';

const skip = hasTools('dpkg-deb', 'apt-get') ? false : 'needs dpkg-deb and apt-get';
const dir = tempDir('herd-local-repo-');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function canary(version: string): { pkg: LockedPackage; bytes: Buffer } {
  const bytes = readFileSync(makeDeb(dir, 'herd-canary', version));
  return { bytes, pkg: { name: 'herd-canary', version, architecture: 'all', filename: `pool/main/h/herd-canary/herd-canary_${version}_all.deb`, size: bytes.length, sha256: sha256(bytes) } };
}
const fresh = (name: string) => ({ packageCache: join(dir, name, 'cache'), dir: join(dir, name, 'repo') });

test('a locked file in the package cache is used when its sha256 matches; nothing is downloaded', { skip }, async () => {
  const { pkg, bytes } = canary('1.0');
  const o = fresh('cached');
  mkdirSync(o.packageCache, { recursive: true });
  writeFileSync(join(o.packageCache, debCacheName(pkg)), bytes);
  const got = await gatherLockedDebs([pkg], { ...o, mirrors: ['http://m.invalid'], download: async () => assert.fail('must not download') });
  assert.equal(sha256(readFileSync(got[0]!.file)), pkg.sha256);
});

test('a cached file with other content is not trusted: the mirror copy is fetched by pool path, checked and kept', { skip }, async () => {
  const { pkg, bytes } = canary('1.0');
  const o = fresh('refetch');
  mkdirSync(o.packageCache, { recursive: true });
  writeFileSync(join(o.packageCache, debCacheName(pkg)), Buffer.concat([bytes.subarray(0, -1), Buffer.from('x')]));
  const asked: string[] = [];
  const got = await gatherLockedDebs([pkg], {
    ...o, mirrors: ['http://first.invalid/debian/', 'http://second.invalid/debian'],
    // the first mirror serves something else under that path (a newer upload): skipped, the second has it
    download: async (url) => { asked.push(url); return url.includes('first') ? Buffer.from('not it') : bytes; },
  });
  assert.deepEqual(asked, [`http://first.invalid/debian/${pkg.filename}`, `http://second.invalid/debian/${pkg.filename}`]);
  assert.equal(sha256(readFileSync(got[0]!.file)), pkg.sha256);
  assert.equal(sha256(readFileSync(join(o.packageCache, debCacheName(pkg)))), pkg.sha256, 'the good copy replaces the bad one in the cache');
});

test('a locked file nobody has any more is a clear error naming the package, with a snapshot hint', { skip }, async () => {
  const { pkg } = canary('1.0');
  await assert.rejects(gatherLockedDebs([pkg], { ...fresh('gone'), mirrors: ['http://m.invalid/debian'], lockedEpoch: 1795486335, download: async () => undefined }), (e: any) => {
    assert.equal(e.code, 'lock.package_unavailable');
    assert.equal(e.kind, 'dependency');
    assert.match(e.message, /herd-canary 1\.0 \(all\)/);
    assert.match(e.message, /http:\/\/m\.invalid\/debian\/pool\/main\/h\/herd-canary/);
    assert.match(e.hint, /snapshot\.debian\.org\/archive\/debian\/20261124T021215Z\//);
    return true;
  });
});

test('the local repository index is read by apt itself: one candidate, the locked sha256', { skip }, async () => {
  const { pkg, bytes } = canary('1.0');
  const o = fresh('apt');
  mkdirSync(o.packageCache, { recursive: true });
  writeFileSync(join(o.packageCache, debCacheName(pkg)), bytes);
  const debs = await gatherLockedDebs([pkg], { ...o, mirrors: [] });
  const control = execFileSync('dpkg-deb', ['--field', debs[0]!.file], { encoding: 'utf8' });
  writeLocalRepo(o.dir, debs.map((d) => ({ ...d, control })), 1795486335, 'bookworm');
  assert.deepEqual(parsePackagesIndex(readFileSync(join(o.dir, 'Packages'), 'utf8')).map((e) => e.sha256), [pkg.sha256]);

  // a throw-away apt state: apt-get update against only this repository, then ask apt what it would install
  const state = join(dir, 'apt-state');
  for (const d of ['lists/partial', 'cache/archives/partial', 'etc']) mkdirSync(join(state, d), { recursive: true });
  writeFileSync(join(state, 'status'), '');
  writeFileSync(join(state, 'etc/sources.list'), `deb [trusted=yes] copy://${o.dir} ./\n`);
  const aptOpts = ['-o', `Dir::State=${state}`, '-o', `Dir::State::status=${join(state, 'status')}`, '-o', `Dir::Cache=${join(state, 'cache')}`,
    '-o', `Dir::Etc::SourceList=${join(state, 'etc/sources.list')}`, '-o', 'Dir::Etc::SourceParts=/dev/null', '-o', 'Dir::Etc::Parts=/dev/null',
    '-o', 'Debug::NoLocking=1', '-o', 'APT::Sandbox::User=root'];
  execFileSync('apt-get', [...aptOpts, '-qq', 'update'], { stdio: 'pipe' });
  const shown = execFileSync('apt-cache', [...aptOpts, 'show', 'herd-canary'], { encoding: 'utf8' });
  assert.match(shown, new RegExp(`^SHA256: ${pkg.sha256}$`, 'm'));
  assert.match(shown, /^Version: 1\.0$/m);
  assert.match(readFileSync(join(o.dir, 'Release'), 'utf8'), /^Codename: bookworm$/m);
  // mmdebstrap chooses the essential set by release name: apt must see this repository as bookworm
  const policy = execFileSync('apt-cache', [...aptOpts, 'policy'], { encoding: 'utf8' });
  assert.match(policy, /release .*n=bookworm/, policy);
});
