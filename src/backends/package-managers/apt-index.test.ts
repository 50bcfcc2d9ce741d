import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debCacheName, lockEntries, parsePackagesIndex } from './apt-index.ts';
import { checkRecipeAgainstLock, sourcesList } from './apt.ts';

const sha = (c: string) => c.repeat(64);
const index = [
  'Package: bash\nVersion: 5.2.15-2+b8\nArchitecture: amd64\nDescription: shell\n more text\nFilename: pool/main/b/bash/bash_5.2.15-2+b8_amd64.deb\nSize: 1500000\nSHA256: ' + sha('a'),
  'Package: libc6\nVersion: 2.36-9+deb12u13\nArchitecture: amd64\nFilename: pool/main/g/glibc/libc6_2.36-9+deb12u13_amd64.deb\nSize: 2800000\nSHA256: ' + sha('b'),
  'Package: libc6\nVersion: 2.36-9+deb12u10\nArchitecture: amd64\nFilename: pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb\nSize: 2700000\nSHA256: ' + sha('c'),
  'Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\nFilename: pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb\nSize: 250000\nSHA256: ' + sha('d'),
  'Package: nofile\nVersion: 1\nArchitecture: all',
].join('\n\n') + '\n';

test('Packages stanzas become lock entries; stanzas without a file are skipped; a name filter applies', () => {
  const all = parsePackagesIndex(index);
  assert.equal(all.length, 4);
  assert.deepEqual(all[0], { name: 'bash', version: '5.2.15-2+b8', architecture: 'amd64', filename: 'pool/main/b/bash/bash_5.2.15-2+b8_amd64.deb', size: 1500000, sha256: sha('a') });
  assert.deepEqual(parsePackagesIndex(index, new Set(['tzdata'])).map((e) => e.name), ['tzdata']);
});

test('each installed package is matched by name, version and architecture; the rest reported', () => {
  const installed = [
    { name: 'libc6', version: '2.36-9+deb12u13', architecture: 'amd64', source: 'glibc' },
    { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all', source: 'tzdata' },
    { name: 'bash', version: '5.2.15-2+b9', architecture: 'amd64', source: 'bash' }, // a version the index does not have
  ];
  const { entries, unmatched } = lockEntries(installed, parsePackagesIndex(index));
  assert.deepEqual(entries.map((e) => `${e.name} ${e.sha256[0]}`), ['libc6 b', 'tzdata d']);
  assert.deepEqual(unmatched.map((p) => p.name), ['bash']);
});

test('apt names cached files with the epoch colon escaped', () => {
  assert.equal(debCacheName({ name: 'openssh-server', version: '1:9.2p1-2+deb12u10', architecture: 'amd64' }), 'openssh-server_1%3a9.2p1-2+deb12u10_amd64.deb');
});

test('the recipe must ask only for what the lock holds', () => {
  const locked = parsePackagesIndex(index);
  checkRecipeAgainstLock(['bash', 'libc6=2.36-9+deb12u13'], [locked[0]!, locked[1]!]);
  assert.throws(() => checkRecipeAgainstLock(['curl'], locked), { code: 'lock.recipe_mismatch' });
  assert.throws(() => checkRecipeAgainstLock(['bash=5.2.15-2+b9'], locked), (e: any) => /it has 5\.2\.15-2\+b8/.test(e.message));
});

test('the image keeps one signed source line per suite', () => {
  assert.equal(sourcesList({ keyring: '/k.gpg', sources: [{ uri: 'http://m/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main', 'contrib'] }] }),
    'deb [signed-by=/k.gpg] http://m/debian bookworm main contrib\ndeb [signed-by=/k.gpg] http://m/debian bookworm-updates main contrib\n');
});
