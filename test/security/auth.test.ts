import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { checkExposure } from '../../src/api/exposure.ts';
import { toAppError } from '../../src/api/http-errors.ts';
import type { Role } from '../../src/catalog/roles.ts';
import { storeErrorFor } from '../../src/store/store-errors.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { createToken, listTokens, revokeToken } from '../../src/store/tokens.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { countingBody, PUBLIC_URL, servicesOn, storedRelease } from './fixtures.ts';

type App = ReturnType<typeof createApp>;
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const post = (body: unknown, headers: Record<string, string> = {}) =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Concrete paths for every route of the OpenAPI document, so routes added later are covered too. */
function routesOf(doc: any): Array<{ method: string; path: string; role?: string }> {
  const out = [];
  for (const [template, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const path = template
        .replace('{id}', template.startsWith('/api/tokens') ? 'abc123' : template.startsWith('/api/products') ? 'base' : randomUUID())
        .replace('{key}', 'x');
      out.push({ method: method.toUpperCase(), path, role: op['x-required-role'] });
    }
  }
  return out;
}

/** Reads anyone may make: the download site, mirrors and `herd verify` use them without credentials. */
// the catalogue (titles, summaries, use cases of the official images) is what the public download site shows;
// the template library is browsed signed out (issue #10: sign-in for writing)
const PUBLIC_READS = [/^\/api\/session$/, /^\/api\/health$/, /^\/api\/catalog(\/use-cases)?$/, /^\/api\/recipe-schema$/, /^\/api\/library/, /^\/api\/openapi\.json$/, /^\/api\/products/, /^\/api\/releases/, /^\/(feeds|releases|streams|coreos|artifacts)\//, /^\/keys\/keyring\.asc$/];

for (const target of testDatabases) {
  describe(`hostile clients (${target.name})`, { skip: target.skip }, () => {
    let env: Awaited<ReturnType<typeof servicesOn>>;
    let svc: ReleaseServices;
    let app: App;
    const tokens = {} as Record<Role, string>;
    before(async () => {
      env = await servicesOn(target);
      svc = env.svc;
      app = createApp(svc, { eventPollMs: 20, documentTtlMs: 0, maxEventStreams: 1, allowedHosts: ['herd.internal'] });
      for (const role of ['viewer', 'contributor', 'reviewer', 'publisher', 'admin'] as Role[]) {
        tokens[role] = (await createToken(svc.store.db, { role, name: `t-${role}` })).secret;
      }
    });
    after(async () => { await env?.cleanup(); });

    test('no credential: 401 on every write route of the OpenAPI document and on job reads', async () => {
      const doc = await (await app.request('/api/openapi.json')).json();
      const routes = routesOf(doc);
      const writes = routes.filter((r) => r.method !== 'GET');
      assert.ok(writes.length >= 8, `found only ${writes.length} write routes`);
      for (const r of routes) {
        // signing in is how a browser gets a credential: the one write without a role (test/security/portal-sessions.test.ts)
        if (r.method !== 'GET') assert.ok(r.role || r.path === '/api/session', `${r.method} ${r.path} declares no role`);
        else if (!r.role) assert.ok(PUBLIC_READS.some((re) => re.test(r.path)), `${r.path} is an anonymous read but not a public one`);
      }
      for (const r of routes.filter((x) => x.role)) {
        const res = await app.request(r.path, r.method === 'GET' ? {} : post({}));
        assert.equal(res.status, 401, `${r.method} ${r.path}`);
        const body = await res.json();
        assert.equal(body.code, 'api.unauthenticated');
        assert.match(body.hint, /herd tokens create --role \w+.*HERD_TOKEN/);
      }
      for (const path of ['/api/jobs', `/api/jobs/${randomUUID()}`, `/api/jobs/${randomUUID()}/events`]) {
        assert.equal((await app.request(path)).status, 401, path);
      }
      // A wrong or malformed token is refused, not treated as anonymous.
      assert.equal((await app.request('/api/jobs', { headers: bearer('herd_forged') })).status, 401);
      assert.equal((await app.request('/api/jobs', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } })).status, 401);
      // Public reads stay anonymous.
      assert.equal((await app.request('/api/products')).status, 200);
      assert.equal((await app.request('/api/releases')).status, 200);
    });

    test('roles are ordered: a viewer cannot publish, a contributor cannot promote, an admin can do anything', async () => {
      const r = await storedRelease(svc, '2026.11.20.0');
      const viewer = await app.request('/api/publish', post({ dir: '/tmp/x' }, bearer(tokens.viewer)));
      assert.equal(viewer.status, 403);
      const body = await viewer.json();
      assert.equal(body.code, 'api.forbidden');
      assert.match(body.message, /needs role publisher/);
      assert.equal((await app.request('/api/jobs', { headers: bearer(tokens.viewer) })).status, 200);
      assert.equal((await app.request(`/api/releases/${r.id}/promote`, post({ to: 'stable' }, bearer(tokens.contributor)))).status, 403);
      assert.equal((await app.request(`/api/releases/${r.id}/promote`, post({ to: 'stable' }, bearer(tokens.reviewer)))).status, 403);
      assert.equal((await app.request('/api/tokens', { headers: bearer(tokens.publisher) })).status, 403);
      assert.equal((await app.request(`/api/releases/${r.id}/promote`, post({ to: 'stable' }, bearer(tokens.admin)))).status, 200);
      const job = await svc.queue.enqueue('noop', { v: 1 });
      assert.equal((await app.request(`/api/jobs/${job.id}/cancel`, post({}, bearer(tokens.contributor)))).status, 403, 'a contributor cannot stop others\' jobs');
      assert.equal((await app.request(`/api/jobs/${job.id}/cancel`, post({}, bearer(tokens.reviewer)))).status, 403);
      assert.equal((await app.request(`/api/jobs/${job.id}/cancel`, post({}, bearer(tokens.publisher)))).status, 200);
    });

    test('revoked and expired tokens are refused; use is recorded', async () => {
      const { token, secret } = await createToken(svc.store.db, { role: 'admin', name: 'soon-revoked' });
      assert.equal((await app.request('/api/tokens', { headers: bearer(secret) })).status, 200);
      assert.ok((await listTokens(svc.store.db)).find((t) => t.id === token.id)?.lastUsedAt, 'last use recorded');
      const revoked = await app.request(`/api/tokens/${token.id}/revoke`, post({}, bearer(tokens.admin)));
      assert.equal(revoked.status, 200);
      assert.equal((await app.request('/api/tokens', { headers: bearer(secret) })).status, 401);
      const old = await createToken(svc.store.db, { role: 'admin', expiresInDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
      assert.equal((await app.request('/api/tokens', { headers: bearer(old.secret) })).status, 401);
      await revokeToken(svc.store.db, old.token.id);
    });

    test('token secrets are shown once: listings never hold them, the database holds only their sha256', async () => {
      const res = await app.request('/api/tokens', post({ role: 'viewer', name: 'ci' }, bearer(tokens.admin)));
      assert.equal(res.status, 201);
      const created = await res.json();
      assert.match(created.secret, /^herd_[A-Za-z0-9_-]{43}$/);
      const listing = await (await app.request('/api/tokens', { headers: bearer(tokens.admin) })).text();
      const rows = await svc.store.db.selectFrom('tokens').selectAll().execute();
      const dump = JSON.stringify(rows);
      for (const secret of [created.secret, ...Object.values(tokens)]) {
        assert.ok(!listing.includes(secret), 'listing holds a secret');
        assert.ok(!listing.includes(secret.slice(5, 20)), 'listing holds part of a secret');
        assert.ok(!dump.includes(secret.slice(5)), 'the database holds a secret');
        assert.ok(rows.some((r) => r.token_hash === createHash('sha256').update(secret).digest('hex')));
      }
      assert.ok(!listing.includes('token_hash') && !listing.includes(rows[0]!.token_hash), 'listing holds a hash');
      assert.equal((await app.request('/api/jobs', { headers: bearer(created.secret) })).status, 200);
    });

    test('writes take application/json only: text/plain, form and multipart are 415', async () => {
      const r = await storedRelease(svc, '2026.11.21.0');
      const url = `/api/releases/${r.id}/revoke`;
      for (const [type, body] of [['text/plain', '{"reason":"csrf attack"}'], ['application/x-www-form-urlencoded', 'reason=csrf+attack'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="reason"\r\n\r\ncsrf attack\r\n--x--\r\n']]) {
        const res = await app.request(url, { method: 'POST', headers: { 'content-type': type!, ...bearer(tokens.admin) }, body });
        assert.equal(res.status, 415, type);
        assert.equal((await res.json()).code, 'api.unsupported_media');
      }
      const none = await app.request(url, { method: 'POST', headers: bearer(tokens.admin), body: '{"reason":"csrf attack"}' });
      assert.equal(none.status, 415, 'a write without Content-Type');
      assert.equal((await svc.store.db.selectFrom('releases').select('revoked_at').where('id', '=', r.id).executeTakeFirst())?.revoked_at, null);
    });

    test('a foreign Origin or a cross-site fetch may not write; the service\'s own origins may', async () => {
      const r = await storedRelease(svc, '2026.11.22.0');
      const url = `/api/releases/${r.id}/promote`;
      for (const origin of ['https://evil.example', 'null', 'http://localhost:3000']) {
        const res = await app.request(url, post({ to: 'stable' }, { origin, ...bearer(tokens.admin) }));
        assert.equal(res.status, 403, origin);
        assert.equal((await res.json()).code, 'api.foreign_origin');
      }
      const xsite = await app.request(url, post({ to: 'stable' }, { 'sec-fetch-site': 'cross-site', ...bearer(tokens.admin) }));
      assert.equal(xsite.status, 403);
      assert.equal(xsite.headers.get('access-control-allow-origin'), null);
      assert.equal((await app.request('http://127.0.0.1:8080' + url, post({ to: 'stable' }, { origin: 'http://127.0.0.1:8080', ...bearer(tokens.admin) }))).status, 200);
      assert.equal((await app.request(url, post({ to: 'testing' }, { origin: PUBLIC_URL, ...bearer(tokens.admin) }))).status, 200);
      assert.equal((await app.request('/api/products', { headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin'), null);
    });

    test('a foreign Host (DNS rebinding) is refused on every route, reads included', async () => {
      for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1.evil.example', '0.0.0.0:8080']) {
        for (const path of ['/feeds/testing.json', '/api/products', '/api/health']) {
          const res = await app.request(`http://${host}${path}`, { headers: { host } });
          assert.equal(res.status, 421, `${host}${path}`);
          assert.equal((await res.json()).code, 'api.misdirected_host');
        }
      }
      for (const host of ['127.0.0.1:9999', 'localhost', '[::1]:8080', 'images.example.org', 'herd.internal:8080']) {
        assert.equal((await app.request(`http://${host}/api/products`, { headers: { host } })).status, 200, host);
      }
    });

    test('bodies over 64 KiB are refused without being read: 1 MB declared, 200 MB chunked', async () => {
      const r = await storedRelease(svc, '2026.11.23.0');
      const url = `/api/releases/${r.id}/revoke`;
      const declared = countingBody(1024 * 1024);
      const big = await app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024), ...bearer(tokens.admin) }, body: declared.stream, duplex: 'half' } as RequestInit);
      assert.equal(big.status, 413);
      assert.equal((await big.json()).code, 'api.body_too_large');
      assert.ok(declared.pulled() <= 64 * 1024, `pulled ${declared.pulled()} bytes of a declared 1 MB body`);

      const chunked = countingBody(200 * 1024 * 1024);
      const huge = await app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens.admin) }, body: chunked.stream, duplex: 'half' } as RequestInit);
      assert.equal(huge.status, 413);
      assert.ok(chunked.pulled() < 1024 * 1024, `pulled ${chunked.pulled()} bytes of a 200 MB body`);

      const anonymous = countingBody(200 * 1024 * 1024);
      const anon = await app.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: anonymous.stream, duplex: 'half' } as RequestInit);
      assert.equal(anon.status, 401);
      assert.ok(anonymous.pulled() < 1024 * 1024, `pulled ${anonymous.pulled()} bytes before refusing an anonymous write`);
    });

    test('NUL and control characters are refused with 400 (revoke reason, product fields, any field)', async () => {
      const r = await storedRelease(svc, '2026.11.24.0');
      const url = `/api/releases/${r.id}/revoke`;
      for (const reason of ['bad\u0000kernel', 'bad \u001b[2J\u001b[31mkernel', 'line one\nline two', 'bell\u0007', 'bidi \u202e lenrek', 'c1 \u009b31m']) {
        const res = await app.request(url, post({ reason }, bearer(tokens.admin)));
        assert.equal(res.status, 400, JSON.stringify(reason));
        assert.equal((await res.json()).code, 'api.invalid_input');
      }
      assert.equal((await svc.store.db.selectFrom('releases').select('revoked_at').where('id', '=', r.id).executeTakeFirst())?.revoked_at, null);
      assert.equal((await app.request('/api/products', post({ id: 'nul', title: 'a\u0000b' }, bearer(tokens.admin)))).status, 400);
      assert.equal((await app.request('/api/products', post({ id: 'nul', title: 'ok', extra: 'x\u0000' }, bearer(tokens.admin)))).status, 400);
      assert.equal((await app.request('/api/products', post({ id: 'long', title: 'x'.repeat(201) }, bearer(tokens.admin)))).status, 400);
      assert.equal((await app.request('/api/releases?product=a%00b')).status, 400);
      // A description may span lines; a clean reason still revokes.
      assert.equal((await app.request('/api/products', post({ id: 'multi', title: 'ok', description: 'one\n\ttwo', recipe: 'base' }, bearer(tokens.admin)))).status, 201);
      assert.equal((await app.request(url, post({ reason: 'CVE-2026-0001 in openssl' }, bearer(tokens.admin)))).status, 200);
    });

    test('open job event streams are capped; a closed stream frees its slot', async () => {
      const job = await svc.queue.enqueue('noop', { v: 1 });
      const events = `/api/jobs/${job.id}/events`;
      const first = new AbortController();
      const one = await app.request(events, { headers: bearer(tokens.viewer), signal: first.signal });
      assert.equal(one.status, 200);
      const reader = one.body!.getReader();
      await reader.read();
      const two = await app.request(events, { headers: bearer(tokens.viewer) });
      assert.equal(two.status, 429);
      const body = await two.json();
      assert.equal(body.code, 'api.too_many_streams');
      assert.ok(body.hint);
      first.abort();
      await reader.cancel().catch(() => {});
      let again: Response | undefined;
      for (let i = 0; i < 200 && again?.status !== 200; i++) {
        await again?.body?.cancel();
        if (i) await new Promise((r) => setTimeout(r, 25));
        again = await app.request(events, { headers: bearer(tokens.viewer) });
      }
      assert.equal(again!.status, 200, 'the slot was never released');
      await svc.queue.cancel(job.id);
      await again!.text();
    });

    test('CORS only for configured origins: preflight and answers name them, nobody else', async () => {
      const portal = 'https://portal.example';
      const withCors = createApp(svc, { corsOrigins: [portal] });
      const pre = await withCors.request('/api/tokens', { method: 'OPTIONS', headers: { origin: portal, 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), portal);
      assert.match(pre.headers.get('access-control-allow-headers')!, /authorization/);
      const res = await withCors.request('/api/tokens', post({ role: 'viewer' }, { origin: portal, ...bearer(tokens.admin) }));
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('access-control-allow-origin'), portal);
      const other = await withCors.request('/api/tokens', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      assert.equal((await app.request('/api/tokens', { method: 'OPTIONS', headers: { origin: portal } })).headers.get('access-control-allow-origin'), null);
    });

    test('exposure: beyond loopback only with a usable token, a wildcard bind only with a public URL', async () => {
      const bare = await servicesOn(target, { withKey: false });
      try {
        await checkExposure(bare.svc.store, { host: '127.0.0.1' });
        await checkExposure(bare.svc.store, { host: '::1' });
        await assert.rejects(checkExposure(bare.svc.store, { host: '192.168.1.5' }), { code: 'serve.no_tokens' });
        const t = await createToken(bare.svc.store.db, { role: 'viewer' });
        await checkExposure(bare.svc.store, { host: '192.168.1.5' });
        await assert.rejects(checkExposure(bare.svc.store, { host: '0.0.0.0' }), { code: 'serve.no_public_url' });
        await assert.rejects(checkExposure(bare.svc.store, { host: '::' }), { code: 'serve.no_public_url' });
        await checkExposure(bare.svc.store, { host: '0.0.0.0', publicUrl: PUBLIC_URL });
        await revokeToken(bare.svc.store.db, t.token.id);
        await assert.rejects(checkExposure(bare.svc.store, { host: '0.0.0.0', publicUrl: PUBLIC_URL }), { code: 'serve.no_tokens' });
      } finally {
        await bare.cleanup();
      }
    });

    test('a missing signing key is 503 (dependency), not 400', async () => {
      const keyless = await servicesOn(target, { withKey: false });
      try {
        const admin = (await createToken(keyless.svc.store.db, { role: 'admin' })).secret;
        const r = await storedRelease(keyless.svc);
        const res = await createApp(keyless.svc).request(`/api/releases/${r.id}/promote`, post({ to: 'stable' }, bearer(admin)));
        assert.equal(res.status, 503);
        assert.equal((await res.json()).code, 'keys.none');
      } finally {
        await keyless.cleanup();
      }
    });
  });
}

test('every string input of every route has a length limit', async () => {
  const env = await servicesOn(testDatabases[0]!);
  try {
    const doc = await (await createApp(env.svc).request('/api/openapi.json')).json();
    const unbounded: string[] = [];
    const walk = (s: any, at: string) => {
      if (!s || typeof s !== 'object') return;
      if (s.type === 'string' && s.maxLength === undefined && !s.enum && s.format !== 'uuid') unbounded.push(at);
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) walk(v, `${at}.${k}`);
      for (const v of [s.items, ...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) walk(v, at);
    };
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        for (const p of op.parameters ?? []) if (p.name !== 'key') walk(p.schema, `${method} ${path} ${p.in}.${p.name}`);
        walk(op.requestBody?.content?.['application/json']?.schema, `${method} ${path} body`);
      }
    }
    assert.deepEqual(unbounded, []);
  } finally {
    await env.cleanup();
  }
});

test('disk full on SQLite and PostgreSQL is a dependency error with a hint, over HTTP and in the mapper', async () => {
  const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const pgFull = Object.assign(new Error('could not extend file "base/16384/2619": No space left on device'), { code: '53100' });
  for (const e of [sqlite, pgFull, new Error('wrapped', { cause: sqlite })]) {
    const mapped = storeErrorFor(e);
    assert.equal(mapped?.code, 'store.disk_full');
    assert.equal(mapped?.kind, 'dependency');
    assert.match(mapped!.hint!, /free space/);
  }
  assert.equal(storeErrorFor(new Error('something else')), undefined);
  assert.equal(toAppError(new TypeError('bug')).kind, 'internal');
  const env = await servicesOn(testDatabases[0]!);
  try {
    for (const e of [sqlite, pgFull]) {
      const app = createApp(env.svc, { authenticate: async () => { throw e; } });
      const res = await app.request('/api/jobs');
      assert.equal(res.status, 503);
      const body = await res.json();
      assert.equal(body.code, 'store.disk_full');
      assert.ok(body.hint);
    }
  } finally {
    await env.cleanup();
  }
});
