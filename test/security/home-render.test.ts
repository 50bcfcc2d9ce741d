import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { homeRenderer, jsonForHtml, SERVER_DIR } from '../../src/api/home-render.ts';
import { HOME_PAGE_PRELOADS } from '../../src/api/portal-pages.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { servicesOn } from './fixtures.ts';

const INDEX = '<!doctype html><title>Herd portal</title><div id="root"></div><script type="module" src="/assets/x.js"></script>';
const HOSTILE = '</script><script>alert(1)</script><!-- \u2028\u2029 <img src=x onerror=alert(2)>';

let builds = 0;
/** A server entry like web/src/entry-server.tsx, as a build names it (a new name per build): what it renders says which data it got. */
function writeEntry(portal: string, body: string) {
  const dir = join(portal, SERVER_DIR);
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) rmSync(join(dir, old));
  writeFileSync(join(dir, `entry-server-b${++builds}.js`), `export const SERVER_HOME_DATA_ID = 'herd-home-data';\n${body}\n`);
}
const COUNTING_ENTRY = 'export function renderHome(d) { return `<main data-images="${d[1].images.length}">rendered</main>`; }';

/**
 * The server-rendered home page (src/api/home-render.ts): it carries the API's own answers in a data block
 * no text can break out of, the renderer's code is never served, and any failure serves the plain page.
 */
describe('the server-rendered home page', () => {
  let env: Awaited<ReturnType<typeof servicesOn>>;
  let portal: string;
  before(async () => {
    env = await servicesOn(testDatabases[0]!);
    portal = join(env.dir, 'portal');
    mkdirSync(join(portal, 'assets'), { recursive: true });
    writeFileSync(join(portal, 'index.html'), INDEX);
    writeFileSync(join(portal, 'assets', 'x.js'), 'console.log(1)');
    writeEntry(portal, COUNTING_ENTRY);
  });
  after(async () => { await env.cleanup(); });

  test('`/` is the index page with the rendered tree and, as data, exactly the answers the API gives', async () => {
    const app = createApp(env.svc, { portalDir: portal });
    const res = await app.request('/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('link'), null, 'its data came with it: nothing to preload');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await res.text();
    const answers = await Promise.all(HOME_PAGE_PRELOADS.map(async (p) => (await app.request(p)).json()));
    const block = /<div id="root"><main data-images="(\d+)">rendered<\/main><\/div><script type="application\/json" id="herd-home-data">([^<]*)<\/script>/.exec(html);
    assert.ok(block, html.slice(0, 300));
    assert.equal(Number(block[1]), (answers[1] as { images: unknown[] }).images.length);
    assert.deepEqual(JSON.parse(block[2]!), answers);
    assert.ok(html.endsWith('<script type="module" src="/assets/x.js"></script>'), 'the rest of the index page is kept');
  });

  test("the renderer's folder is never served, under any spelling", async () => {
    const app = createApp(env.svc, { portalDir: portal });
    const [name] = readdirSync(join(portal, SERVER_DIR));
    for (const path of [`/.server/${name}`, '/.server/', '/.server', `/%2eserver/${name}`, `/assets/../.server/${name}`]) {
      const res = await app.request(path);
      const body = await res.text();
      assert.doesNotMatch(body, /renderHome/, `${path} served the renderer`);
      assert.notEqual(res.status, 200, path);
    }
  });

  test('compressed as the browser accepts, plain otherwise', async () => {
    const app = createApp(env.svc, { portalDir: portal });
    const br = await app.request('/', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.match(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString(), /data-images/);
    const gz = await app.request('/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.match(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString(), /data-images/);
    const plain = await app.request('/', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(plain.headers.get('vary'), 'accept-encoding');
  });

  test('no text can end the data block or open markup, and it reads back the same', () => {
    const value = [{ title: HOSTILE }, { list: [HOSTILE, '<\/script>'] }];
    const json = jsonForHtml(value);
    assert.doesNotMatch(json, /</);
    assert.doesNotMatch(json, /[\u2028\u2029]/);
    assert.deepEqual(JSON.parse(json), value);
  });

  test('a renderer that throws, an entry without renderHome, or an index page without its mount point: the plain page, with its preloads', async () => {
    const broken = join(env.dir, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'index.html'), INDEX);
    const errors: unknown[] = [];
    const render = homeRenderer({ fetchData: async () => [{}, { images: [] }], onError: (e) => errors.push(e) });
    writeEntry(broken, 'export function renderHome() { throw new Error("boom"); }');
    assert.equal(await render(broken, INDEX), undefined);
    assert.match(String(errors[0]), /boom/);
    // anyone can ask for `/` as often as they like: the same fault is reported once a minute, not per request
    for (let i = 0; i < 5; i++) assert.equal(await render(broken, INDEX), undefined);
    assert.equal(errors.length, 1);
    writeEntry(broken, 'export const nothing = 1;');
    assert.equal(await render(broken, INDEX), undefined);
    writeEntry(broken, COUNTING_ENTRY);
    assert.equal(await render(broken, '<!doctype html><div id="app"></div>'), undefined);
    assert.match((await render(broken, INDEX))?.html ?? String(errors.at(-1)), /data-images="0"/, "a rebuilt renderer is picked up without a restart");
    // through the app: the renderer that throws gives the page the client renders by itself
    writeEntry(broken, 'export function renderHome() { throw new Error("boom"); }');
    const app = createApp(env.svc, { portalDir: broken });
    const stderr = process.stderr.write;
    const logged: string[] = [];
    process.stderr.write = ((s: string) => { logged.push(String(s)); return true; }) as typeof process.stderr.write;
    try {
      const res = await app.request('/', { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), INDEX);
      assert.ok(res.headers.get('link')?.includes('/api/catalog'));
    } finally {
      process.stderr.write = stderr;
    }
    assert.match(logged.join(''), /home page is served unrendered.*boom/s);
  });

  test('the data is asked for once per ttl, again after forget(), and a failed answer is not kept', async () => {
    let calls = 0;
    let fail = false;
    const render = homeRenderer({ ttlMs: 60_000, fetchData: async () => { calls++; if (fail) throw new Error('down'); return [{}, { images: [calls] }]; } });
    const page = await render(portal, INDEX);
    assert.match(page?.html ?? '', /data-images="1"/);
    const again = await render(portal, INDEX);
    assert.equal(calls, 1);
    assert.equal(again, page, 'the same answer is not rendered twice');
    assert.equal(again!.body('br'), page!.body('br'), 'nor compressed twice');
    render.forget();
    fail = true;
    assert.equal(await render(portal, INDEX), undefined);
    fail = false;
    assert.match((await render(portal, INDEX))?.html ?? '', /data-images="1"/);
    assert.equal(calls, 3);
  });
});
