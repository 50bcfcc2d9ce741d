import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpFetch, resolveArchive } from './archive-state.ts';
import { versionFromEpoch } from './resolve.ts';
import { clearsign, makeSigningKey, serveDir, type SigningKey } from '../../test/helpers/apt-archive.ts';
import { hasTools } from '../../test/helpers/host.ts';

const archive = {
  sources: [{ uri: 'http://mirror.invalid/debian/', suites: ['bookworm', 'bookworm-updates'], components: ['main'] }],
  keyring: '/k.gpg',
};
const trustAll = async (text: string) => text;

test('each suite is pinned by its InRelease digest and date', async () => {
  const seen: string[] = [];
  const suites = await resolveArchive(archive, async (url) => {
    seen.push(url);
    return `Origin: Debian\nDate: ${url.includes('updates') ? 'Tue, 24 Nov 2026 02:12:15 UTC' : 'Sat, 11 Jul 2026 10:16:37 UTC'}\n`;
  }, trustAll);
  assert.deepEqual(seen, ['http://mirror.invalid/debian/dists/bookworm/InRelease', 'http://mirror.invalid/debian/dists/bookworm-updates/InRelease']);
  assert.equal(suites[1]!.epoch, 1795486335);
  assert.match(suites[0]!.inReleaseSha256, /^[0-9a-f]{64}$/);
  assert.equal(versionFromEpoch(1795486335), '2026.11.24.0');
});

test('a Release without a Date is refused with a code', async () => {
  await assert.rejects(resolveArchive(archive, async () => 'Origin: x\n', trustAll), { code: 'archive.bad_release' });
});

// The real check: gpgv against a keyring, on InRelease files served over HTTP from 127.0.0.1.
const gpgSkip = hasTools('gpg', 'gpgv', 'gpgconf') ? false : 'needs gpg and gpgv (apt-get install gpg gpgv)';
const dir = tempDir('herd-inrelease-');
const keys: SigningKey[] = [];
after(() => keys.forEach((k) => k.close()));
const release = (date: string) => `Origin: Herd tests\nSuite: stable\nDate: ${date}\nSHA256:\n ${'0'.repeat(64)} 10 main/binary-amd64/Packages\n`;

async function resolveServed(files: Record<string, string>, keyring: string) {
  const root = join(dir, Math.random().toString(36).slice(2));
  for (const [suite, text] of Object.entries(files)) {
    mkdirSync(join(root, 'dists', suite), { recursive: true });
    writeFileSync(join(root, 'dists', suite, 'InRelease'), text);
  }
  const server = await serveDir(root);
  try {
    return await resolveArchive({ sources: [{ uri: server.url, suites: Object.keys(files), components: ['main'] }], keyring }, httpFetch);
  } finally {
    await server.close();
  }
}

test('InRelease signatures are checked with gpgv: a good one is trusted, a tampered or foreign one is refused', { skip: gpgSkip }, async () => {
  const key = makeSigningKey(dir);
  const other = makeSigningKey(dir, 'Someone Else');
  keys.push(key, other);
  const good = clearsign(key, release('Tue, 24 Nov 2026 02:12:15 UTC'));
  const [state] = await resolveServed({ stable: good }, key.keyring);
  assert.equal(state!.epoch, 1795486335);

  // the archive (or a proxy) moves the date after signing
  const tampered = good.replace('Date: Tue, 24 Nov 2026', 'Date: Wed, 25 Nov 2026');
  assert.notEqual(tampered, good);
  await assert.rejects(resolveServed({ stable: tampered }, key.keyring), (e: any) => {
    assert.equal(e.code, 'archive.bad_signature');
    assert.equal(e.kind, 'dependency');
    assert.match(e.message, /BADSIG/);
    return true;
  });
  // signed, but by a key the recipe's keyring does not hold
  await assert.rejects(resolveServed({ stable: clearsign(other, release('Tue, 24 Nov 2026 02:12:15 UTC')) }, key.keyring), { code: 'archive.bad_signature' });
  // not signed at all
  await assert.rejects(resolveServed({ stable: release('Tue, 24 Nov 2026 02:12:15 UTC') }, key.keyring), { code: 'archive.bad_signature' });
});

test('only the signed text counts: a Date put in front of the signed block is ignored', { skip: gpgSkip }, async () => {
  const key = makeSigningKey(dir);
  keys.push(key);
  const signed = clearsign(key, release('Tue, 24 Nov 2026 02:12:15 UTC'));
  const [state] = await resolveServed({ stable: `Date: Fri, 01 Jan 2027 00:00:00 UTC\n\n${signed}` }, key.keyring);
  assert.equal(state!.date, 'Tue, 24 Nov 2026 02:12:15 UTC');
});

test('a keyring that does not exist is a clear dependency error', { skip: gpgSkip }, async () => {
  const key = makeSigningKey(dir);
  keys.push(key);
  await assert.rejects(resolveServed({ stable: clearsign(key, release('Tue, 24 Nov 2026 02:12:15 UTC')) }, join(dir, 'no-such.gpg')),
    { code: 'archive.keyring_missing', kind: 'dependency' });
});
