import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, type WatchedPage } from './browser.ts';
import { type Portal, startPortal } from './portal-server.ts';

// chromium warns about a preload left unused "a few seconds" (3 s) after the load event
const UNUSED_PRELOAD_WAIT_MS = 3500;

/**
 * A first visit as bench/first-render.ts times it: the API answers the page needs first are preloaded (the
 * index page's Link header, index.html's <link>) in the mode the client fetches them, so each is fetched
 * once and no preload is left unused; the scripts and styles come compressed.
 */
describe('the portal on a first visit', () => {
  let portal: Portal;
  let browser: Browser;
  before(async () => { portal = await startPortal(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await portal?.close(); });

  async function visit(w: WatchedPage, path: string, ready: () => Promise<unknown>) {
    const requests: string[] = [];
    const encodings = new Map<string, string | undefined>();
    const console: string[] = [];
    w.page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    w.page.on('response', (r) => encodings.set(new URL(r.url()).pathname, r.headers()['content-encoding']));
    w.page.on('console', (m) => { if (m.type() !== 'log' && m.type() !== 'debug') console.push(`${m.type()}: ${m.text()}`); });
    await w.page.goto(`${portal.url}${path}`);
    await ready();
    await w.page.waitForTimeout(UNUSED_PRELOAD_WAIT_MS);
    const initiators = Object.fromEntries(await w.page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => [new URL(e.name).pathname, (e as PerformanceResourceTiming).initiatorType] as const)));
    return { requests, encodings, console, initiators };
  }

  test('the home page: its API answers preloaded and used once each, scripts and styles compressed, no warning', async () => {
    const w = await browser.page();
    const { requests, encodings, console, initiators } = await visit(w, '/', () => w.page.getByTestId('use-case-base').waitFor());
    for (const api of ['/api/catalog/use-cases', '/api/catalog', '/api/session']) {
      assert.equal(requests.filter((r) => r === api).length, 1, `${api} fetched once: ${requests.join(' ')}`);
      assert.equal(initiators[api], 'link', `${api} came from the preload`);
    }
    const assets = requests.filter((r) => /^\/assets\/.*\.(js|css)$/.test(r));
    assert.ok(assets.length >= 2, assets.join(' '));
    for (const a of assets) assert.equal(encodings.get(a), 'br', a);
    assert.ok(!assets.some((a) => /LibraryPage|ImagePage|public-api|recipe-validator/.test(a)), `other pages' code stays out: ${assets.join(' ')}`);
    assert.deepEqual(console, []);
    assert.deepEqual(w.errors, []);
  });

  test('another page: the session is preloaded and used, the home page\'s answers are not asked for', async () => {
    const w = await browser.page();
    const { requests, console, initiators } = await visit(w, '/docs', () => w.page.getByRole('heading', { level: 1 }).first().waitFor());
    assert.equal(requests.filter((r) => r === '/api/session').length, 1, requests.join(' '));
    assert.equal(initiators['/api/session'], 'link');
    // the docs page reads the use cases too, but by its own fetch once its code has run: no preload off the home page
    assert.notEqual(initiators['/api/catalog/use-cases'], 'link');
    assert.notEqual(initiators['/api/catalog'], 'link');
    assert.deepEqual(console, []);
    assert.deepEqual(w.errors, []);
  });
});
