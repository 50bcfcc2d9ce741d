import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getSetting, PUBLIC_URL_SETTING, setSetting } from './settings.ts';
import { type TestHandle, testDatabases } from './test-databases.ts';
import { countUsableTokens, createToken, hashToken, listTokens, revokeToken, useToken } from './tokens.ts';

for (const target of testDatabases) {
  describe(`tokens and settings (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    before(async () => { h = await target.open(); });
    after(async () => { await h?.close(); });

    test('a token authenticates until revoked; only its hash is stored; last use is written at most once a minute', async () => {
      assert.equal(await countUsableTokens(h.db), 0);
      const t0 = new Date('2026-11-30T10:00:00Z');
      const { token, secret } = await createToken(h.db, { role: 'publisher', name: 'ci', now: t0 });
      assert.equal(await countUsableTokens(h.db, t0), 1);
      const [row] = await h.db.selectFrom('tokens').selectAll().execute();
      assert.equal(row!.token_hash, hashToken(secret));
      assert.ok(!JSON.stringify(row).includes(secret.slice(5)));
      assert.equal((await useToken(h.db, secret, t0))?.role, 'publisher');
      assert.equal((await listTokens(h.db))[0]!.lastUsedAt, t0.toISOString());
      await useToken(h.db, secret, new Date(t0.getTime() + 30_000));
      assert.equal((await listTokens(h.db))[0]!.lastUsedAt, t0.toISOString(), 'not rewritten within a minute');
      const t2 = new Date(t0.getTime() + 120_000);
      await useToken(h.db, secret, t2);
      assert.equal((await listTokens(h.db))[0]!.lastUsedAt, t2.toISOString());
      assert.equal(await useToken(h.db, secret + 'x', t2), undefined);
      assert.equal(await useToken(h.db, 'not-a-herd-token', t2), undefined);
      await revokeToken(h.db, token.id, t2);
      assert.equal(await useToken(h.db, secret, t2), undefined);
      assert.equal(await countUsableTokens(h.db, t2), 0);
      await assert.rejects(revokeToken(h.db, 'ffffffffffff'), { code: 'token.not_found' });
    });

    test('expiry and roles are checked', async () => {
      const now = new Date('2026-11-30T10:00:00Z');
      const { secret } = await createToken(h.db, { role: 'viewer', expiresInDays: 1, now });
      assert.equal((await useToken(h.db, secret, new Date(now.getTime() + 3_600_000)))?.role, 'viewer');
      assert.equal(await useToken(h.db, secret, new Date(now.getTime() + 86_400_000)), undefined);
      await assert.rejects(createToken(h.db, { role: 'root' }), { code: 'token.bad_role' });
      await assert.rejects(createToken(h.db, { role: 'admin', expiresInDays: -1 }), { code: 'token.bad_expiry' });
    });

    test('settings: set, overwrite, read', async () => {
      assert.equal(await getSetting(h.db, PUBLIC_URL_SETTING), undefined);
      await setSetting(h.db, PUBLIC_URL_SETTING, 'https://a.example');
      await setSetting(h.db, PUBLIC_URL_SETTING, 'https://b.example');
      assert.equal(await getSetting(h.db, PUBLIC_URL_SETTING), 'https://b.example');
    });
  });
}
