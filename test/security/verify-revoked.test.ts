import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listKeys, readKeyring, revokeCompromisedKey } from '../../src/keys/keyring.ts';
import { exportDocuments } from '../../src/release/export-documents.ts';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { forgeFeed } from './fixtures/signed-feed.ts';

/** `herd keys revoke --compromised`: clients that refresh the keyring refuse everything the key signed. */
describe('herd verify and a compromised key', () => {
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
    env = await makeServices('herd-sec-revoke-');
    keys = join(env.dir, 'data', 'keys');
    state = join(env.dir, 'state.json');
  });
  after(async () => { await env.cleanup(); });

  test('a feed signed by a key revoked as compromised is refused whatever its date, also with an older keyring later', async () => {
    const signedBefore = await nextFeed();
    const oldKeyring = await readKeyring(keys);
    const active = (await listKeys(keys)).find((k) => k.status === 'active')!;
    const { replacement } = await revokeCompromisedKey(keys, active.fingerprint, { reason: 'stolen from the build host' });
    await assert.rejects(verify(signedBefore), (e: any) => e.code === 'signature.revoked_key' && e.message.includes(active.fingerprint));
    // A stale mirror's keyring without the revocation does not make the client forget it.
    await assert.rejects(verifyFeed({ feed: signedBefore, keyring: oldKeyring, statePath: state }), { code: 'signature.revoked_key' });
    const next = await verify(await nextFeed());
    assert.equal(next.signedBy, replacement!.fingerprint);
  });


  test('a thief of the active key who fast-forwarded a client does not lock it out once the key is revoked', async () => {
    const real = await nextFeed();
    const active = (await listKeys(keys)).find((k) => k.status === 'active')!;
    const stolen = readFileSync(join(keys, `${active.fingerprint}.key.asc`), 'utf8');
    const ahead = await forgeFeed(real, join(env.dir, 'ahead'), stolen, { generation: 100000 });
    assert.equal((await verify(ahead)).feed.generation, 100000, 'before the revocation the forgery is indistinguishable');
    await assert.rejects(verify(await nextFeed()), { code: 'feed.rollback' });
    await revokeCompromisedKey(keys, active.fingerprint);
    const after = await verify(await nextFeed());
    assert.ok(after.feed.generation < 100000);
  });
});
