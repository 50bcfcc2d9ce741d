import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkCredentials, createAccount, disableAccount, listAccounts, setAccountPassword, setAccountRole } from './accounts.ts';
import { listAudit, recordAudit } from './audit.ts';
import { createSession, csrfTokenFor, revokeSession, SESSION_IDLE_MS, SESSION_LIFETIME_MS, useSession } from './sessions.ts';
import { type TestHandle, testDatabases } from './test-databases.ts';

const PW = 'correct horse battery staple';

for (const target of testDatabases) {
  describe(`accounts, sessions and audit (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    before(async () => { h = await target.open(); });
    after(async () => { await h?.close(); });

    test('an account signs in with its password only; the hash is scrypt, salted, never the password', async () => {
      const a = await createAccount(h.db, { name: 'alice', role: 'contributor', password: PW });
      const b = await createAccount(h.db, { name: 'bob', role: 'reviewer', password: PW });
      const rows = await h.db.selectFrom('accounts').select(['name', 'password_hash']).orderBy('name').execute();
      assert.match(rows[0]!.password_hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      assert.notEqual(rows[0]!.password_hash, rows[1]!.password_hash, 'same password, different salts');
      assert.ok(!JSON.stringify(rows).includes('horse'));
      assert.equal((await checkCredentials(h.db, 'alice', PW))?.id, a.id);
      assert.equal(await checkCredentials(h.db, 'alice', PW + ' '), undefined);
      assert.equal(await checkCredentials(h.db, 'nobody', PW), undefined);
      assert.equal(await checkCredentials(h.db, 'ALICE; drop table accounts', PW), undefined);
      assert.deepEqual((await listAccounts(h.db)).map((x) => `${x.name}:${x.role}`), ['alice:contributor', 'bob:reviewer']);
      assert.ok(!JSON.stringify(await listAccounts(h.db)).includes('scrypt'));
      assert.equal(b.role, 'reviewer');
    });

    test('bad names, roles, short or huge passwords and a taken name are refused with their codes', async () => {
      await assert.rejects(createAccount(h.db, { name: 'Al ice', role: 'viewer', password: PW }), (e: any) => e.code === 'account.bad_name');
      await assert.rejects(createAccount(h.db, { name: 'carol', role: 'root', password: PW }), (e: any) => e.code === 'account.bad_role');
      await assert.rejects(createAccount(h.db, { name: 'carol', role: 'viewer', password: 'short' }), (e: any) => e.code === 'account.weak_password');
      await assert.rejects(createAccount(h.db, { name: 'carol', role: 'viewer', password: 'x'.repeat(10_000) }), (e: any) => e.code === 'account.weak_password');
      await assert.rejects(createAccount(h.db, { name: 'alice', role: 'viewer', password: PW }), (e: any) => e.code === 'account.exists' && e.kind === 'conflict');
      assert.equal(await checkCredentials(h.db, 'alice', 'x'.repeat(100_000)), undefined, 'a huge password is not hashed');
    });

    test('a session carries the account\'s current role, expires when idle or old, and ends with sign-out or disabling', async () => {
      const [alice] = await listAccounts(h.db);
      const t0 = new Date('2026-12-01T10:00:00Z');
      const s = await createSession(h.db, alice!.id, t0);
      assert.equal((await useSession(h.db, s.secret, t0))?.role, 'contributor');
      await setAccountRole(h.db, 'alice', 'reviewer');
      assert.equal((await useSession(h.db, s.secret, t0))?.role, 'reviewer', 'a role change applies to live sessions');
      const [row] = await h.db.selectFrom('sessions').selectAll().execute();
      assert.ok(!JSON.stringify(row).includes(s.secret.slice(6)), 'only the hash is stored');
      assert.equal(await useSession(h.db, s.secret + 'x', t0), undefined);
      assert.equal(await useSession(h.db, 'herd_notasession', t0), undefined);
      // idle: a request within the idle window keeps it alive, a gap longer than it ends it
      const t1 = new Date(t0.getTime() + SESSION_IDLE_MS - 60_000);
      assert.ok(await useSession(h.db, s.secret, t1));
      assert.ok(await useSession(h.db, s.secret, new Date(t1.getTime() + SESSION_IDLE_MS - 60_000)));
      assert.equal(await useSession(h.db, s.secret, new Date(t1.getTime() + 3 * SESSION_IDLE_MS)), undefined);
      const old = await createSession(h.db, alice!.id, t0);
      assert.equal(await useSession(h.db, old.secret, new Date(t0.getTime() + SESSION_LIFETIME_MS)), undefined, 'older than its lifetime');
      const s2 = await createSession(h.db, alice!.id, t0);
      await revokeSession(h.db, s2.id, t0);
      assert.equal(await useSession(h.db, s2.secret, t0), undefined);
      const s3 = await createSession(h.db, alice!.id, t0);
      await setAccountPassword(h.db, 'alice', 'a brand new passphrase');
      assert.equal(await checkCredentials(h.db, 'alice', PW), undefined);
      await disableAccount(h.db, 'alice', t0);
      assert.equal(await useSession(h.db, s3.secret, t0), undefined, 'disabling ends its sessions');
      assert.equal(await checkCredentials(h.db, 'alice', 'a brand new passphrase'), undefined, 'a disabled account cannot sign in');
      assert.notEqual(csrfTokenFor(s.secret), csrfTokenFor(s2.secret));
      assert.ok(!csrfTokenFor(s.secret).includes(s.secret));
    });

    test('the audit log keeps entries newest first, filtered by action', async () => {
      await recordAudit(h.db, { actor: 'alice', action: 'sign_in', subject: 'alice', detail: { ip: '127.0.0.1' } });
      await recordAudit(h.db, { actor: 'anonymous', action: 'sign_in_failed', subject: 'mallory' });
      await recordAudit(h.db, { actor: 'bob', action: 'release_revoked', subject: 'base 2026.12.01.0', detail: { reason: 'CVE' } });
      const all = await listAudit(h.db);
      assert.deepEqual(all.map((e) => e.action), ['release_revoked', 'sign_in_failed', 'sign_in']);
      assert.deepEqual(all[2]!.detail, { ip: '127.0.0.1' });
      assert.deepEqual((await listAudit(h.db, { action: 'sign_in_failed' })).map((e) => e.subject), ['mallory']);
    });
  });
}
