import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listKeys, readKeyring, rotateKey } from '../../src/keys/keyring.ts';
import { exportDocuments } from '../../src/release/export-documents.ts';
import { openServices } from '../../src/release/open-services.ts';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { copyFeed, forgeFeed } from './fixtures/signed-feed.ts';

/**
 * The key attacks of issue 7, against the real key commands and a real service: a stolen retired key,
 * a second publisher name, a swapped channel (a compromised key: verify-revoked.test.ts).
 */
describe('herd verify and the release keys', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let keys: string;
  let pub: string;
  let state: string;
  let n = 0;
  const feedPath = () => join(pub, 'feeds/testing.json');
  /** Publishes the next generation and exports it to a fresh folder, as a client would download it. */
  const nextFeed = async () => {
    await refreshFeeds(env.svc);
    pub = join(env.dir, `public-${++n}`);
    await exportDocuments(env.svc.store, pub);
    return feedPath();
  };
  const verify = async (feed: string, extra: Partial<Parameters<typeof verifyFeed>[0]> = {}) =>
    verifyFeed({ feed, keyring: await readKeyring(keys), statePath: state, ...extra });

  before(async () => {
    env = await makeServices('herd-sec-keys-');
    keys = join(env.dir, 'data', 'keys');
    state = join(env.dir, 'state.json');
  });
  after(async () => { await env.cleanup(); });

  test('an older generation does not verify under another publisher name', async () => {
    // Same service, other public URL: `herd publish` and `herd serve` used to disagree on it.
    const other = await openServices({ dataDir: join(env.dir, 'data'), publicUrl: 'http://127.0.0.1:8080' });
    try {
      const older = copyFeed(await nextFeed(), join(env.dir, 'older'), 'testing.json');
      await refreshFeeds(other);
      pub = join(env.dir, `public-${++n}`);
      await exportDocuments(other.store, pub);
      const newer = await verify(feedPath());
      assert.equal(JSON.parse(readFileSync(feedPath(), 'utf8')).publisher, 'http://127.0.0.1:8080');
      assert.notEqual(JSON.parse(readFileSync(older, 'utf8')).publisher, 'http://127.0.0.1:8080');
      await assert.rejects(verify(older), (e: any) => e.code === 'feed.rollback' && e.message.includes(`older than generation ${newer.feed.generation}`));
    } finally {
      await other.close();
    }
  });

  test('a feed saved under another channel\'s name is refused; --channel must match too', async () => {
    const real = await nextFeed();
    const swapped = copyFeed(real, join(env.dir, 'swapped'), 'stable.json');
    await assert.rejects(verify(swapped), (e: any) => e.code === 'feed.wrong_channel' && /testing feed, not the stable feed/.test(e.message));
    await assert.rejects(verify(real, { channel: 'stable' }), { code: 'feed.wrong_channel' });
    const renamed = copyFeed(real, join(env.dir, 'renamed'), 'latest-feed');
    await assert.rejects(verify(renamed), { code: 'feed.no_channel' });
    assert.equal((await verify(renamed, { channel: 'testing' })).feed.channel, 'testing');
  });
  test('a feed forged with a retired key is refused after rotate, and the real feed is still accepted', async () => {
    const first = await nextFeed();
    const r1 = await verify(first);
    const [retiredEntry] = await listKeys(keys);
    assert.equal(r1.signedBy, retiredEntry!.fingerprint);
    // The thief copied the private key before the rotation.
    const stolen = readFileSync(join(keys, `${retiredEntry!.fingerprint}.key.asc`), 'utf8');

    const fresh = await rotateKey(keys);
    const real = await nextFeed();
    const retiredAt = Date.parse((await listKeys(keys))[0]!.retired!);

    // Signed now (after the retirement), generation 100000, expiry 2099.
    const forged = await forgeFeed(real, join(env.dir, 'forged'), stolen, { generation: 100000, expires: '2099-01-01T00:00:00.000Z' });
    await assert.rejects(verify(forged), (e: any) => e.code === 'signature.retired_key' && e.message.includes(retiredEntry!.fingerprint));
    // The same, with the signature back-dated to before the retirement: its 2099 expiry gives it away.
    const backdated = await forgeFeed(real, join(env.dir, 'backdated'), stolen,
      { generation: 100000, expires: '2099-01-01T00:00:00.000Z' }, new Date(Date.parse(retiredEntry!.created)));
    await assert.rejects(verify(backdated), (e: any) => e.code === 'signature.retired_key' && /expires/.test(e.message));
    // Back-dated with a plausible expiry: it may pass as a stale copy, but it never becomes the newest generation.
    const plausible = await forgeFeed(real, join(env.dir, 'plausible'), stolen,
      { generation: 100000, expires: new Date(retiredAt + 86_400_000).toISOString() }, new Date(Date.parse(retiredEntry!.created)));
    assert.equal((await verify(plausible)).retiredKey, true);

    const ok = await verify(real);
    assert.equal(ok.signedBy, fresh.fingerprint);
    assert.equal(ok.feed.generation, JSON.parse(readFileSync(real, 'utf8')).generation);
    assert.equal(ok.retiredKey, undefined);
  });

});
