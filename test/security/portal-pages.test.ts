import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/api/app.ts';
import { CLIENT_ROUTE_ROOTS, HOME_PAGE_PRELOADS, PORTAL_SECURITY_HEADERS } from '../../src/api/portal-pages.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { servicesOn } from './fixtures.ts';

const INDEX = '<!doctype html><title>Herd portal</title><div id="root"></div>';
const SCRIPT = 'console.log("portal");';
const SECRET = 'SECRET-OUTSIDE-THE-PORTAL';

/**
 * A hostile client against the portal's static files (src/api/portal-pages.ts): nothing outside the built
 * folder is ever served, nothing the API or the downloads own is answered with the index page.
 */
describe('portal pages against a hostile client', () => {
  let env: Awaited<ReturnType<typeof servicesOn>>;
  let app: ReturnType<typeof createApp>;
  let portal: string;
  let outside: string;
  before(async () => {
    env = await servicesOn(testDatabases[0]!);
    // the folder is named `assets` on purpose: the index page must not take the hashed assets' caching from a parent's name
    portal = join(env.dir, 'assets', 'portal');
    outside = join(env.dir, 'outside');
    mkdirSync(join(portal, 'assets'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(portal, 'index.html'), INDEX);
    writeFileSync(join(portal, 'assets', 'x.js'), SCRIPT);
    writeFileSync(join(portal, '.env'), `TOKEN=${SECRET}`);
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    symlinkSync(join(outside, 'secret.txt'), join(portal, 'leak.txt'));
    symlinkSync(outside, join(portal, 'assets', 'out'));
    app = createApp(env.svc, { portalDir: portal });
  });
  after(async () => { await env.cleanup(); });

  const get = (path: string) => app.request(path);
  async function notServed(path: string) {
    const res = await get(path);
    const body = await res.text();
    assert.doesNotMatch(body, new RegExp(SECRET), `${path} leaked a file from outside the portal`);
    assert.doesNotMatch(body, /root:x:0:0/, `${path} served /etc/passwd`);
    return { res, body };
  }

  test('dot-dot paths, plain and encoded, never leave the folder', async () => {
    for (const path of ['/../etc/passwd', '/../../../../etc/passwd', '/assets/../../outside/secret.txt', '/%2e%2e/%2e%2e/etc/passwd',
      '/.%2e/outside/secret.txt', '/assets/..%2f..%2f..%2foutside%2fsecret.txt', '/assets/x%2f..%2f..%2f..%2foutside%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2foutside/secret.txt', '/%252e%252e/outside/secret.txt']) {
      const { res, body } = await notServed(path);
      // either not found, or (once the URL is normalised to a client-side route) the index page itself
      assert.ok(res.status === 404 || body === INDEX, `${path}: ${res.status} ${body.slice(0, 80)}`);
    }
  });

  test('backslashes, NUL bytes and dot-files are not found', async () => {
    for (const path of ['/assets%5c..%5c..%5coutside%5csecret.txt', '/assets\\..\\..\\outside\\secret.txt', '/index.html%00.js', '/assets/x.js%00', '/.env', '/assets/.env', '/.git/config', '/%2eenv']) {
      const { res } = await notServed(path);
      assert.equal(res.status, 404, path);
      assert.equal((await (await get(path)).json()).code, 'api.not_found', `${path}: a JSON error, not a page`);
    }
  });

  test('a symlink in the folder that points outside it is refused, file or directory', async () => {
    for (const path of ['/leak.txt', '/assets/out/secret.txt']) {
      const { res } = await notServed(path);
      assert.equal(res.status, 404, path);
    }
  });

  test('the raw request line is not trusted either (no URL normalisation on the way)', async () => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      for (const path of ['/../../outside/secret.txt', '/assets/../../outside/secret.txt', '/assets/..%2f..%2foutside/secret.txt', '/..\\..\\outside\\secret.txt']) {
        const answer = await rawGet(port, path);
        assert.doesNotMatch(answer, new RegExp(SECRET), path);
        assert.match(answer, /^HTTP\/1\.1 (404|400) /, path);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('the API and the downloads keep their own answers: a JSON 404, never the index page', async () => {
    for (const [path, code] of [['/api/nope', 'api.not_found'], ['/api', 'api.not_found'], ['/api/', 'api.not_found'],
      ['/artifacts/base/missing.raw', 'download.not_found'], ['/feeds/nope.json', 'download.not_found'], ['/keys/other.asc', 'api.not_found']] as const) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, path);
      assert.equal((await res.json()).code, code, path);
    }
  });

  test('a client-side route gets the index page, with the security headers and no long caching', async () => {
    for (const path of ['/', '/library/foo', '/images/base/releases', '/index.html']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), INDEX, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('content-security-policy'), PORTAL_SECURITY_HEADERS['content-security-policy']);
      assert.match(res.headers.get('content-security-policy')!, /script-src 'self'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('cache-control'), 'no-cache', `${path}: a new build must show at once`);
    }
  });

  test('a path that is no client-side route gets the not-found page with a 404 status', async () => {
    for (const path of ['/etc/passwd', '/wp-admin', '/librar', '/api', '/xyz/library']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /root:x:0:0/);
    }
  });

  test('the server knows every client-side route the portal declares (web/src/App.tsx)', () => {
    const app = readFileSync(new URL('../../web/src/App.tsx', import.meta.url), 'utf8');
    const roots = [...app.matchAll(/<Route path="\/([a-z-]+)/g)].map((m) => m[1]!);
    assert.ok(roots.length >= 5, 'App.tsx routes found');
    for (const r of roots) assert.ok(CLIENT_ROUTE_ROOTS.includes(r), `/${r} is a portal route: add it to CLIENT_ROUTE_ROOTS`);
  });

  test("the home page's index announces what the home page fetches first, and no other page does", async () => {
    const home = await get('/');
    assert.equal(home.headers.get('link'), HOME_PAGE_PRELOADS.map((p) => `<${p}>; rel=preload; as=fetch; crossorigin`).join(', '));
    for (const path of ['/library', '/images/base', '/wp-admin', '/index.html', '/assets/x.js']) assert.equal((await get(path)).headers.get('link'), null, path);
    // the list is the home page's own first requests: a preload it does not use is wasted, and chromium warns
    const page = readFileSync(new URL('../../web/src/pages/home-data.ts', import.meta.url), 'utf8');
    assert.deepEqual([...page.matchAll(/apiGet\('([^']+)'/g)].map((m) => m[1]), HOME_PAGE_PRELOADS);
  });

  test('hashed assets are cached for good, with their content type; a missing one is a 404, not the index page', async () => {
    const res = await get('/assets/x.js');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), SCRIPT);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const missing = await get('/assets/missing-1234.js');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, 'api.not_found');
  });

  test('precompressed variants: br preferred, gzip next, identity when the client accepts neither; Vary always set', async () => {
    writeFileSync(join(portal, 'assets', 'x.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(portal, 'assets', 'x.js.gz'), gzipSync(SCRIPT));
    const cases: [string | undefined, string | null][] = [[undefined, null], ['identity', null], ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'], ['x-gzip', 'gzip'], ['br;q=0, gzip;q=0.5', 'gzip'], ['BR;Q=0.1', 'br'], ['*', 'br'], ['*;q=0', null],
      ['gzip;q=0, br;q=0', null], ['deflate', null], ['br;q=oops, gzip', 'gzip']];
    for (const [accept, coding] of cases) {
      const res = await app.request('/assets/x.js', { headers: accept === undefined ? {} : { 'accept-encoding': accept } });
      assert.equal(res.status, 200, String(accept));
      assert.equal(res.headers.get('content-encoding'), coding, `Accept-Encoding: ${accept}`);
      assert.equal(res.headers.get('vary'), 'accept-encoding', String(accept));
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8', 'the type of the original, not of the variant');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const body = Buffer.from(await res.arrayBuffer());
      const plain = coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body;
      assert.equal(plain.toString(), SCRIPT, String(accept));
    }
  });

  test('the index page of a client route is sent compressed too, keeping its type, status and caching', async () => {
    writeFileSync(join(portal, 'index.html.br'), brotliCompressSync(INDEX));
    for (const [path, status] of [['/library/foo', 200], ['/wp-admin', 404]] as const) {
      const res = await app.request(path, { headers: { 'accept-encoding': 'br' } });
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('content-encoding'), 'br', path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.equal(res.headers.get('cache-control'), 'no-cache', path);
      assert.equal(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString(), INDEX, path);
    }
  });

  test('a variant is never served on its own: not without its original, not under its own name', async () => {
    writeFileSync(join(portal, 'assets', 'orphan.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(portal, 'assets', 'orphan.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(portal, 'assets', 'x.js.br'), brotliCompressSync(SCRIPT));
    for (const path of ['/assets/orphan.js', '/assets/orphan.js.br', '/assets/orphan.js.gz', '/assets/x.js.br', '/assets/x.js.gz']) {
      const res = await app.request(path, { headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).code, 'api.not_found', path);
    }
  });

  test('a variant that is a symlink out of the folder is not used', async () => {
    writeFileSync(join(portal, 'assets', 'y.js'), SCRIPT);
    symlinkSync(join(outside, 'secret.txt'), join(portal, 'assets', 'y.js.br'));
    symlinkSync(join(outside, 'secret.txt'), join(portal, 'assets', 'y.js.gz'));
    const res = await app.request('/assets/y.js', { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(await res.text(), SCRIPT);
  });

  test('a folder without an index page answers plainly, and a portal built after start is served', async () => {
    const later = join(env.dir, 'later');
    const lateApp = createApp(env.svc, { portalDir: later });
    const unbuilt = await lateApp.request('/');
    assert.equal(unbuilt.status, 200);
    assert.match(unbuilt.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await unbuilt.text(), /portal has not been built \(npm run build:web\)/);
    assert.equal((await lateApp.request('/library/foo')).status, 404, 'no index page to fall back to');
    assert.equal((await lateApp.request('/api/nope')).status, 404);

    mkdirSync(later);
    const empty = await lateApp.request('/library/foo');
    assert.equal(empty.status, 404, 'a folder without index.html has no page to fall back to');
    await empty.text();
    writeFileSync(join(later, 'index.html'), INDEX);
    const built = await lateApp.request('/library/foo');
    assert.equal(built.status, 200);
    assert.equal(await built.text(), INDEX);
  });
});

/** One request written by hand, so the path reaches the server exactly as a hostile client sends it. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => { answer += d; });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
