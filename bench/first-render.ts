/**
 * Time to first render of the portal's download page (the catalogue by use case) in headless chromium, with
 * a catalogue of 20 products × 50 releases (one signed artifact each) in a SQLite data dir; the peer, measured
 * in the same run, is a static HTML file with the same rendered content (same CSS, no scripts, no API calls)
 * served by the same server. Each load is a new browser context: a first visit, nothing cached.
 *   npm run build:web && npx tsx bench/first-render.ts [--runs 10] [--products 20] [--releases 50] [--path /] [--selector CSS] [--portal DIR]
 * The time is performance.now() (from navigation start) at the first animation frame after the element
 * matching --selector is in the DOM. Budget (issue #10): under 1 s.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { createApp } from '../src/api/app.ts';
import { DEFAULT_PORTAL_DIR } from '../src/api/portal-pages.ts';
import { generateKey } from '../src/keys/keyring.ts';
import { DEFAULT_RECIPES_DIR } from '../src/release/catalogue.ts';
import { openServices } from '../src/release/open-services.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/browser.ts';
import { seedCatalogue } from './lib/seed-catalogue.ts';

const arg = (name: string, d: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1]! : d; };
const RUNS = Number(arg('--runs', '10'));
const PRODUCTS = Number(arg('--products', '20'));
const RELEASES = Number(arg('--releases', '50'));
const PATH = arg('--path', '/');
// the home page's catalogue, once it is shown (web/src/pages/HomePage.tsx)
const SELECTOR = arg('--selector', '[data-testid="use-case-base"]');
const BUDGET_MS = 1000;
// another build of the portal (an older commit's web/dist, say), served by this server: a before/after in one run
const PORTAL = resolve(arg('--portal', DEFAULT_PORTAL_DIR));

if (!existsSync(join(PORTAL, 'index.html'))) {
  console.error(`${PORTAL} has no index.html: run npm run build:web first`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'herd-bench-render-'));
let browser: Browser | undefined;
let server: ReturnType<typeof serve> | undefined;
try {
  const data = join(dir, 'data');
  await generateKey(join(data, 'keys'));
  const svc = await openServices({ dataDir: data });
  const recipes = readdirSync(DEFAULT_RECIPES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort().slice(0, PRODUCTS);
  const t0 = performance.now();
  const count = await seedCatalogue(svc, recipes, RELEASES);
  console.log(`seeded ${recipes.length} products, ${count} releases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // a copy of the built portal, so the static peer page sits beside it without touching web/dist
  const portalDir = join(dir, 'portal');
  cpSync(PORTAL, portalDir, { recursive: true });
  const app = createApp(svc, { dataDir: data, portalDir });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => { const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  svc.feed.publicUrl = url;

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const staticPath = '/first-render-static.html';
  writeFileSync(join(portalDir, staticPath.slice(1)), await renderedHtml(browser, url + PATH));
  const portal: Load[] = [];
  const peer: Load[] = [];
  // alternate, so both sides see the same machine noise
  for (let i = 0; i < RUNS; i++) {
    portal.push(await firstRender(browser, url + PATH));
    peer.push(await firstRender(browser, url + staticPath));
  }
  const p = stats(portal.map((l) => l.render));
  const s = stats(peer.map((l) => l.render));
  const scripts = stats(portal.map((l) => l.scripts));
  const api = stats(portal.map((l) => l.api));
  console.log(`first render of ${PATH} (${SELECTOR}) from ${PORTAL}, ${RUNS} cold loads each, chromium headless, node ${process.version}`);
  console.log('| page | median ms | p90 ms | min ms | max ms |');
  console.log('|---|---|---|---|---|');
  console.log(`| portal (${existsSync(join(PORTAL, '.server')) ? 'server-rendered, then hydrated' : 'rendered in the browser'}) | ${p.median.toFixed(0)} | ${p.p90.toFixed(0)} | ${p.min.toFixed(0)} | ${p.max.toFixed(0)} |`);
  console.log(`| static HTML, same content | ${s.median.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} |`);
  console.log(`portal loads: scripts in by ${scripts.median.toFixed(0)} ms, API answers in by ${api.median.toFixed(0)} ms (medians)`);
  for (const [name, loads] of [['portal', portal], ['static', peer]] as const) {
    const m = (f: (l: Load) => number) => stats(loads.map(f)).median.toFixed(0);
    console.log(`${name} medians: first byte ${m((l) => l.firstByte)} ms, page in ${m((l) => l.htmlEnd)} ms, first contentful paint ${m((l) => l.paint)} ms`);
  }
  console.log(`portal/static median ratio: ${(p.median / s.median).toFixed(2)}; budget ${BUDGET_MS} ms: ${p.p90 < BUDGET_MS ? 'met' : 'MISSED'} (p90)`);
  await svc.close();
} finally {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The page as the portal renders it, scripts removed: the same markup and CSS, with nothing to run. */
async function renderedHtml(b: Browser, url: string): Promise<string> {
  const context = await b.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector(SELECTOR);
  await page.waitForLoadState('networkidle');
  const html = await page.evaluate(() => {
    for (const s of document.querySelectorAll('script, link[rel="modulepreload"]')) s.remove();
    return `<!doctype html>\n${document.documentElement.outerHTML}`;
  });
  await context.close();
  return html;
}

interface Load { render: number; scripts: number; api: number; firstByte: number; htmlEnd: number; paint: number }

/**
 * ms from navigation start to the first frame after SELECTOR appears, in a fresh context (empty cache), and
 * when the last script and the last API answer had arrived (0 when there were none).
 */
async function firstRender(b: Browser, url: string): Promise<Load> {
  const context = await b.newContext();
  // a string, not a function: tsx would wrap named functions in a helper the page does not have
  await context.addInitScript({ content: `{
    const observer = new MutationObserver(() => {
      if (!document.querySelector(${JSON.stringify(SELECTOR)})) return;
      observer.disconnect();
      requestAnimationFrame(() => { window.__firstRender = performance.now(); });
    });
    observer.observe(document, { childList: true, subtree: true });
  }` });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  // the first contentful paint is recorded a little after the frame: wait for both
  await page.waitForFunction(() => (window as unknown as { __firstRender?: number }).__firstRender && performance.getEntriesByName('first-contentful-paint').length > 0, undefined, { timeout: 30_000 });
  const load = await page.evaluate(`(() => {
    const ends = (re) => Math.max(0, ...performance.getEntriesByType('resource').filter((e) => re.test(e.name)).map((e) => e.responseEnd));
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { render: window.__firstRender, scripts: ends(/\\.js$/), api: ends(/\\/api\\//), firstByte: nav.responseStart, htmlEnd: nav.responseEnd, paint: paint ? paint.startTime : 0 };
  })()`) as Load;
  await context.close();
  return load;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median, p90: q(0.9), min: s[0]!, max: s[s.length - 1]! };
}
