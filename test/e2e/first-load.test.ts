import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, type WatchedPage } from './browser.ts';
import { type Portal, startPortal } from './portal-server.ts';

// chromium warns about a preload left unused "a few seconds" (3 s) after the load event
const UNUSED_PRELOAD_WAIT_MS = 3500;

/**
 * A first visit as bench/first-render.ts times it: the home page comes rendered with its data; on other
 * pages the API answers the page needs first are preloaded (index.html's <link>) in the mode the client
 * fetches them, so each is fetched once and no preload is left unused; the scripts and styles come compressed.
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

  test('the home page comes server-rendered: hydrated without a mismatch, its answers asked for by no one, scripts and styles compressed, no warning', async () => {
    const w = await browser.page();
    const { requests, encodings, console, initiators } = await visit(w, '/', () => w.page.getByTestId('use-case-base').waitFor());
    // the page carried the catalogue: neither a preload nor the client asks for it again
    for (const api of ['/api/catalog/use-cases', '/api/catalog']) assert.equal(requests.filter((r) => r === api).length, 0, `${api} not fetched: ${requests.join(' ')}`);
    assert.equal(requests.filter((r) => r === '/api/session').length, 1, requests.join(' '));
    assert.equal(initiators['/api/session'], 'link');
    assert.equal(encodings.get('/'), 'br', 'the rendered page is compressed as it is sent');
    const assets = requests.filter((r) => /^\/assets\/.*\.(js|css)$/.test(r));
    assert.ok(assets.length >= 2, assets.join(' '));
    for (const a of assets) assert.equal(encodings.get(a), 'br', a);
    assert.ok(!assets.some((a) => /LibraryPage|ImagePage|public-api|recipe-validator/.test(a)), `other pages' code stays out: ${assets.join(' ')}`);
    // a hydration mismatch is reported on the console (React's recoverable error); none, and the page is live
    assert.deepEqual(console, []);
    assert.deepEqual(w.errors, []);
    assert.equal(await w.page.locator('#herd-home-data').count(), 0, 'the data block is read and removed');
    await w.page.getByRole('link', { name: 'Documentation' }).click();
    await w.page.getByRole('heading', { level: 1 }).filter({ hasText: /documentation|quick start/i }).first().waitFor();
    assert.ok(!requests.includes('/docs'), 'a click after hydration navigates in the page, not by a new load');
  });

  test('the home page shows the catalogue with scripts off (it is in the HTML)', async () => {
    const w = await browser.page({ javaScriptEnabled: false });
    try {
      await w.page.goto(`${portal.url}/`);
      const card = w.page.getByTestId('use-case-base');
      assert.equal(await card.count(), 1);
      assert.match(await card.innerText(), /Base/i);
      assert.ok(await w.page.getByTestId('image-link-base').count() >= 1, 'the base image is listed');
      await w.screenshot('home-without-scripts');
    } finally {
      await w.context.close();
    }
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
