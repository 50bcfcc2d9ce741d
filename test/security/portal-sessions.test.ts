import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { createAccount } from '../../src/store/accounts.ts';
import { listAudit } from '../../src/store/audit.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { createToken } from '../../src/store/tokens.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { PUBLIC_URL, servicesOn, storedRelease } from './fixtures.ts';

const PW = 'a long enough passphrase';
const json = (body: unknown, headers: Record<string, string> = {}) =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** The cookie a Set-Cookie header sets, as a Cookie request header, and its attributes. */
function cookieOf(res: Response): { header: string; attributes: string } {
  const set = res.headers.get('set-cookie') ?? '';
  const [pair, ...attrs] = set.split(';').map((s) => s.trim());
  return { header: pair ?? '', attributes: attrs.join('; ') };
}

for (const target of testDatabases) {
  describe(`portal sessions (${target.name})`, { skip: target.skip }, () => {
    let env: Awaited<ReturnType<typeof servicesOn>>;
    let svc: ReleaseServices;
    let app: ReturnType<typeof createApp>;
    const signIn = async (name: string, password = PW) => app.request('/api/session', json({ name, password }));
    const session = async (name: string) => {
      const res = await signIn(name);
      assert.equal(res.status, 200, await res.clone().text());
      const body = await res.json();
      return { cookie: cookieOf(res).header, csrf: body.csrfToken as string };
    };
    before(async () => {
      env = await servicesOn(target);
      svc = env.svc;
      app = createApp(svc, { documentTtlMs: 0, session: { limits: { perName: 3, perAddress: 50, windowMs: 60_000 } } });
      for (const [name, role] of [['ann', 'admin'], ['rita', 'reviewer'], ['carl', 'contributor'], ['pete', 'publisher'], ['guess', 'viewer']] as const) {
        await createAccount(svc.store.db, { name, role, password: PW });
      }
    });
    after(async () => { await env?.cleanup(); });

    test('sign-in sets an HttpOnly, Secure, SameSite=Strict cookie; the answer has the CSRF token, never the secret', async () => {
      const res = await signIn('carl');
      assert.equal(res.status, 200);
      const { header, attributes } = cookieOf(res);
      assert.match(header, /^herd_session=herds_[A-Za-z0-9_-]{40,}$/);
      for (const a of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(attributes.includes(a), `${a} in ${attributes}`);
      const body = await res.json();
      assert.deepEqual(body.account, { name: 'carl', role: 'contributor' });
      assert.match(body.csrfToken, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(body).includes(header.split('=')[1]!));
      const me = await (await app.request('/api/session', { headers: { cookie: header } })).json();
      assert.equal(me.signedIn, true);
      assert.equal(me.csrfToken, body.csrfToken);
      assert.deepEqual(await (await app.request('/api/session')).json(), { signedIn: false });
      assert.deepEqual(await (await app.request('/api/session', { headers: { cookie: 'herd_session=herds_forged' } })).json(), { signedIn: false });
    });

    test('a wrong password and an unknown name get the same answer, and both are audited', async () => {
      const wrong = await signIn('rita', 'not the passphrase');
      const unknown = await signIn('nobody-here', PW);
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      const [a, b] = [await wrong.json(), await unknown.json()];
      assert.deepEqual(a, b);
      assert.equal(a.code, 'session.bad_credentials');
      assert.equal(wrong.headers.get('set-cookie'), null);
      const failed = await listAudit(svc.store.db, { action: 'sign_in_failed' });
      assert.deepEqual(failed.slice(0, 2).map((e) => e.subject), ['nobody-here', 'rita']);
    });

    test('failed sign-ins are rate limited per name: then even the right password waits (429, Retry-After)', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await signIn('guess', `wrong ${i} xxxxxxxx`)).status, 401);
      const blocked = await signIn('guess');
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.equal((await blocked.json()).code, 'session.rate_limited');
      assert.equal((await signIn('ann')).status, 200, 'another name is not blocked');
    });

    test('a session write needs its CSRF token; roles are those of the account, checked like tokens', async () => {
      const carl = await session('carl');
      const rel = await storedRelease(svc, '2026.12.01.5');
      const promote = (headers: Record<string, string>) => app.request(`/api/releases/${rel.id}/promote`, json({ to: 'stable' }, headers));
      // no CSRF header, a wrong one, another session's: refused before the role check
      for (const h of [{}, { 'x-herd-csrf': 'f'.repeat(64) }, { 'x-herd-csrf': (await session('pete')).csrf }] as Array<Record<string, string>>) {
        const res = await promote({ cookie: carl.cookie, ...h });
        assert.equal(res.status, 403);
        assert.equal((await res.json()).code, 'api.csrf');
      }
      const low = await promote({ cookie: carl.cookie, 'x-herd-csrf': carl.csrf });
      assert.equal(low.status, 403);
      assert.match((await low.json()).message, /needs role publisher; session "carl" has role contributor/);
      // a publisher's session may, with its token, from the service's own origin
      const pete = await session('pete');
      const foreign = await promote({ cookie: pete.cookie, 'x-herd-csrf': pete.csrf, origin: 'https://evil.example' });
      assert.equal(foreign.status, 403);
      assert.equal((await foreign.json()).code, 'api.foreign_origin');
      const form = await app.request(`/api/releases/${rel.id}/promote`, { method: 'POST', headers: { cookie: pete.cookie, 'x-herd-csrf': pete.csrf, 'content-type': 'text/plain' }, body: '{"to":"stable"}' });
      assert.equal(form.status, 415);
      const ok = await promote({ cookie: pete.cookie, 'x-herd-csrf': pete.csrf, origin: PUBLIC_URL });
      assert.equal(ok.status, 200, await ok.clone().text());
      const audit = await listAudit(svc.store.db, { action: 'release_promoted' });
      assert.equal(audit[0]!.actor, 'pete');
      assert.deepEqual(audit[0]!.detail, { to: 'stable', via: 'session' });
    });

    test('sign-out ends the session at once; a disabled account\'s sessions end too', async () => {
      const s = await session('rita');
      const out = await app.request('/api/session/sign-out', json({}, { cookie: s.cookie, 'x-herd-csrf': s.csrf }));
      assert.equal(out.status, 200);
      assert.match(out.headers.get('set-cookie') ?? '', /herd_session=;.*Max-Age=0/);
      assert.deepEqual(await (await app.request('/api/session', { headers: { cookie: s.cookie } })).json(), { signedIn: false });
      assert.equal((await app.request('/api/jobs', { headers: { cookie: s.cookie } })).status, 401);
      const admin = await session('ann');
      const c2 = await session('carl');
      const dis = await app.request('/api/accounts/carl/disable', json({}, { cookie: admin.cookie, 'x-herd-csrf': admin.csrf }));
      assert.equal(dis.status, 200);
      assert.equal((await app.request('/api/jobs', { headers: { cookie: c2.cookie } })).status, 401);
      assert.equal((await signIn('carl')).status, 401);
    });

    test('accounts and the audit log are for admins only, by session or token; bad input is refused with its path', async () => {
      const viewerToken = (await createToken(svc.store.db, { role: 'reviewer', name: 'rv' })).secret;
      assert.equal((await app.request('/api/audit', { headers: { authorization: `Bearer ${viewerToken}` } })).status, 403);
      const admin = await session('ann');
      const h = { cookie: admin.cookie, 'x-herd-csrf': admin.csrf };
      const created = await app.request('/api/accounts', json({ name: 'dora', role: 'reviewer', password: PW }, h));
      assert.equal(created.status, 201);
      assert.ok(!(await created.text()).includes('scrypt'));
      const weak = await app.request('/api/accounts', json({ name: 'eve', role: 'admin', password: 'short' }, h));
      assert.equal(weak.status, 400);
      assert.equal((await weak.json()).code, 'account.weak_password');
      const bad = await app.request('/api/accounts', json({ name: 'eve', role: 'root', password: PW }, h));
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).message, /body\.role/);
      const huge = await app.request('/api/session', json({ name: 'ann', password: 'x'.repeat(100_000) }));
      assert.equal(huge.status, 413);
      const long = await app.request('/api/session', json({ name: 'ann', password: 'x'.repeat(1000) }));
      assert.equal(long.status, 400);
      const entries = (await (await app.request('/api/audit?limit=50', { headers: { cookie: admin.cookie } })).json()).entries;
      assert.ok(entries.some((e: any) => e.action === 'account_created' && e.subject === 'dora' && e.actor === 'ann'));
      assert.ok(entries.some((e: any) => e.action === 'sign_in' && e.subject === 'ann'));
      assert.ok(!JSON.stringify(entries).includes(PW));
    });

    test('two sign-ins at once get two independent sessions', async () => {
      const [a, b] = await Promise.all([signIn('pete'), signIn('pete')]);
      const [ca, cb] = [cookieOf(a).header, cookieOf(b).header];
      assert.notEqual(ca, cb);
      const outA = await app.request('/api/session/sign-out', json({}, { cookie: ca, 'x-herd-csrf': (await a.json()).csrfToken }));
      assert.equal(outA.status, 200);
      assert.equal((await (await app.request('/api/session', { headers: { cookie: cb } })).json()).signedIn, true);
    });
  });
}
