import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, as scripts/setup-host.sh installs it (src/catalog/host-tools.json). */
export const CHROMIUM = process.env.HERD_CHROMIUM ?? '/usr/bin/chromium';

/** Where the test run leaves screenshots of the main pages (ignored by git). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

// No sandbox (tests may run as root), no GPU, and nothing that talks to the network on its own.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export interface Browser {
  /** A fresh context (own cookies) whose pages record what must never happen: dialogs, CSP violations, page errors. */
  page(o?: { width?: number; height?: number; javaScriptEnabled?: boolean }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Dialogs opened (alert, confirm, prompt), CSP violations reported by the page, and uncaught page errors. */
  dialogs: string[];
  violations(): Promise<string[]>;
  errors: string[];
  screenshot(name: string): Promise<void>;
}

/** Headless chromium; launch() gives it a fresh temporary user-data dir, removed when it closes. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup-host.sh (it installs chromium), or set HERD_CHROMIUM`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    async page(o = {}) {
      const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: o.height ?? 900 }, javaScriptEnabled: o.javaScriptEnabled ?? true });
      // Recorded before any page script runs, so a payload that fires during the first render is caught too.
      await context.addInitScript(() => {
        const w = window as unknown as { __violations: string[] };
        w.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`));
      });
      const page = await context.newPage();
      const watched: WatchedPage = {
        page, context, dialogs: [], errors: [],
        violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
        screenshot: async (name) => { await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }); },
      };
      page.on('dialog', (d) => { watched.dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
      page.on('pageerror', (e) => watched.errors.push(e.message));
      return watched;
    },
    close: () => browser.close(),
  };
}
