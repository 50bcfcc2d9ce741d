import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser } from './browser.ts';
import { type Portal, startPortal } from './portal-server.ts';

describe('the portal navigation', () => {
  let portal: Portal;
  let browser: Browser;
  before(async () => { portal = await startPortal(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await portal?.close(); });

  test('on a phone the menu starts closed, the hamburger opens it, and picking a page closes it', async () => {
    const w = await browser.page({ width: 390, height: 800 });
    const { page } = w;
    await page.goto(`${portal.url}/`);
    await page.getByTestId('use-case-base').waitFor();
    const nav = page.getByRole('navigation', { name: 'Portal' });
    assert.equal(await nav.isVisible(), false, 'the sidebar covers the page on a phone: closed at first');
    await page.getByRole('button', { name: 'Main navigation' }).click();
    await nav.getByRole('link', { name: 'Template library' }).waitFor({ state: 'visible' });
    await w.screenshot('phone-navigation');
    await nav.getByRole('link', { name: 'Template library' }).click();
    await page.waitForURL(/\/library$/);
    await nav.waitFor({ state: 'hidden' });
    assert.deepEqual(w.errors, []);
  });

  test('on a wide screen the menu is open and marks the current page', async () => {
    const { page, errors } = await browser.page();
    await page.goto(`${portal.url}/docs`);
    const current = page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Documentation' });
    await current.waitFor({ state: 'visible' });
    assert.equal(await current.getAttribute('aria-current'), 'page');
    assert.deepEqual(errors, []);
  });
});
