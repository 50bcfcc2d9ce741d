import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveArchive } from './archive-state.ts';
import { versionFromEpoch } from './resolve.ts';

const archive = {
  sources: [{ uri: 'http://mirror.invalid/debian/', suites: ['bookworm', 'bookworm-updates'], components: ['main'] }],
  keyring: '/k.gpg',
};

test('each suite is pinned by its InRelease digest and date', async () => {
  const seen: string[] = [];
  const suites = await resolveArchive(archive, async (url) => {
    seen.push(url);
    return `Origin: Debian\nDate: ${url.includes('updates') ? 'Tue, 24 Nov 2026 02:12:15 UTC' : 'Sat, 11 Jul 2026 10:16:37 UTC'}\n`;
  });
  assert.deepEqual(seen, ['http://mirror.invalid/debian/dists/bookworm/InRelease', 'http://mirror.invalid/debian/dists/bookworm-updates/InRelease']);
  assert.equal(suites[1]!.epoch, 1795486335);
  assert.match(suites[0]!.inReleaseSha256, /^[0-9a-f]{64}$/);
  assert.equal(versionFromEpoch(1795486335), '2026.11.24.0');
});

test('a Release without a Date is refused with a code', async () => {
  await assert.rejects(resolveArchive(archive, async () => 'Origin: x\n'), { code: 'archive.bad_release' });
});
