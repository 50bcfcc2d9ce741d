import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listKeys, readKeyring, revokeCompromisedKey } from '../../src/keys/keyring.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';
import { forgeFeed, feedClient } from './fixtures/signed-feed.ts';

/** `herd c.keys revoke --compromised`: clients that refresh the keyring refuse everything the key signed. */
describe('herd verify and a compromised key', () => {
  let c: Awaited<ReturnType<typeof feedClient>>;
  before(async () => { c = await feedClient('herd-sec-revoke-'); });
  after(async () => { await c.env.cleanup(); });

  test('a feed signed by a key revoked as compromised is refused whatever its date, also with an older keyring later', async () => {
    const signedBefore = await c.nextFeed();
    const oldKeyring = await readKeyring(c.keys);
    const active = (await listKeys(c.keys)).find((k) => k.status === 'active')!;
    const { replacement } = await revokeCompromisedKey(c.keys, active.fingerprint, { reason: 'stolen from the build host' });
    await assert.rejects(c.verify(signedBefore), (e: any) => e.code === 'signature.revoked_key' && e.message.includes(active.fingerprint));
    // A stale mirror's keyring without the revocation does not make the client forget it.
    await assert.rejects(verifyFeed({ feed: signedBefore, keyring: oldKeyring, statePath: c.state }), { code: 'signature.revoked_key' });
    const next = await c.verify(await c.nextFeed());
    assert.equal(next.signedBy, replacement!.fingerprint);
  });


  test('a thief of the active key who fast-forwarded a client does not lock it out once the key is revoked', async () => {
    const real = await c.nextFeed();
    const active = (await listKeys(c.keys)).find((k) => k.status === 'active')!;
    const stolen = readFileSync(join(c.keys, `${active.fingerprint}.key.asc`), 'utf8');
    const ahead = await forgeFeed(real, join(c.env.dir, 'ahead'), stolen, { generation: 100000 });
    assert.equal((await c.verify(ahead)).feed.generation, 100000, 'before the revocation the forgery is indistinguishable');
    await assert.rejects(c.verify(await c.nextFeed()), { code: 'feed.rollback' });
    await revokeCompromisedKey(c.keys, active.fingerprint);
    const after = await c.verify(await c.nextFeed());
    assert.ok(after.feed.generation < 100000);
  });
});
