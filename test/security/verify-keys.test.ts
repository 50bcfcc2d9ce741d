import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listKeys, rotateKey } from '../../src/keys/keyring.ts';
import { exportDocuments } from '../../src/release/export-documents.ts';
import { openServices } from '../../src/release/open-services.ts';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { copyFeed, forgeFeed, feedClient } from './fixtures/signed-feed.ts';

/**
 * The key attacks of issue 7, against the real key commands and a real service: a stolen retired key,
 * a second publisher name, a swapped channel (a compromised key: verify-revoked.test.ts).
 */
describe('herd verify and the release keys', () => {
  let c: Awaited<ReturnType<typeof feedClient>>;
  before(async () => { c = await feedClient('herd-sec-keys-'); });
  after(async () => { await c.env.cleanup(); });

  test('an older generation does not verify under another publisher name', async () => {
    // Same service, other public URL: `herd publish` and `herd serve` used to disagree on it.
    const other = await openServices({ dataDir: join(c.env.dir, 'data'), publicUrl: 'http://127.0.0.1:8080' });
    try {
      const older = copyFeed(await c.nextFeed(), join(c.env.dir, 'older'), 'testing.json');
      await refreshFeeds(other);
      const pub = join(c.env.dir, 'public-other');
      await exportDocuments(other.store, pub);
      const newer = await c.verify(join(pub, 'feeds/testing.json'));
      assert.equal(JSON.parse(readFileSync(join(pub, 'feeds/testing.json'), 'utf8')).publisher, 'http://127.0.0.1:8080');
      assert.notEqual(JSON.parse(readFileSync(older, 'utf8')).publisher, 'http://127.0.0.1:8080');
      await assert.rejects(c.verify(older), (e: any) => e.code === 'feed.rollback' && e.message.includes(`older than generation ${newer.feed.generation}`));
    } finally {
      await other.close();
    }
  });

  test('a feed saved under another channel\'s name is refused; --channel must match too', async () => {
    const real = await c.nextFeed();
    const swapped = copyFeed(real, join(c.env.dir, 'swapped'), 'stable.json');
    await assert.rejects(c.verify(swapped), (e: any) => e.code === 'feed.wrong_channel' && /testing feed, not the stable feed/.test(e.message));
    await assert.rejects(c.verify(real, { channel: 'stable' }), { code: 'feed.wrong_channel' });
    const renamed = copyFeed(real, join(c.env.dir, 'renamed'), 'latest-feed');
    await assert.rejects(c.verify(renamed), { code: 'feed.no_channel' });
    assert.equal((await c.verify(renamed, { channel: 'testing' })).feed.channel, 'testing');
  });
  test('a feed forged with a retired key is refused after rotate, and the real feed is still accepted', async () => {
    const first = await c.nextFeed();
    const r1 = await c.verify(first);
    const [retiredEntry] = await listKeys(c.keys);
    assert.equal(r1.signedBy, retiredEntry!.fingerprint);
    // The thief copied the private key before the rotation.
    const stolen = readFileSync(join(c.keys, `${retiredEntry!.fingerprint}.key.asc`), 'utf8');

    const fresh = await rotateKey(c.keys);
    const real = await c.nextFeed();
    const retiredAt = Date.parse((await listKeys(c.keys))[0]!.retired!);

    // Signed now (after the retirement), generation 100000, expiry 2099.
    const forged = await forgeFeed(real, join(c.env.dir, 'forged'), stolen, { generation: 100000, expires: '2099-01-01T00:00:00.000Z' });
    await assert.rejects(c.verify(forged), (e: any) => e.code === 'signature.retired_key' && e.message.includes(retiredEntry!.fingerprint));
    // The same, with the signature back-dated to before the retirement: its 2099 expiry gives it away.
    const backdated = await forgeFeed(real, join(c.env.dir, 'backdated'), stolen,
      { generation: 100000, expires: '2099-01-01T00:00:00.000Z' }, new Date(Date.parse(retiredEntry!.created)));
    await assert.rejects(c.verify(backdated), (e: any) => e.code === 'signature.retired_key' && /expires/.test(e.message));
    // Back-dated with a plausible expiry: it may pass as a stale copy, but it never becomes the newest generation.
    const plausible = await forgeFeed(real, join(c.env.dir, 'plausible'), stolen,
      { generation: 100000, expires: new Date(retiredAt + 86_400_000).toISOString() }, new Date(Date.parse(retiredEntry!.created)));
    assert.equal((await c.verify(plausible)).retiredKey, true);

    const ok = await c.verify(real);
    assert.equal(ok.signedBy, fresh.fingerprint);
    assert.equal(ok.feed.generation, JSON.parse(readFileSync(real, 'utf8')).generation);
    assert.equal(ok.retiredKey, undefined);
  });

});
