import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { listAudit } from '../../src/store/audit.ts';
import { type Browser, launchBrowser } from './browser.ts';
import { ACCOUNTS, PASSWORD, type Portal, startPortal } from './portal-server.ts';

describe('portal sign-in in a browser', () => {
  let portal: Portal;
  let browser: Browser;
  before(async () => { portal = await startPortal(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await portal?.close(); });

  const signIn = async (page: Page, name: string, password: string) => {
    await page.goto(`${portal.url}/sign-in`);
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  test('a wrong password is refused with a message, sets no cookie and is audited', async () => {
    const { page, context, screenshot } = await browser.page();
    await signIn(page, ACCOUNTS.reviewer, 'not the passphrase at all');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    await screenshot('sign-in-failed');
    assert.match(await error.innerText(), /account name or password is wrong/);
    assert.deepEqual((await context.cookies()).filter((c) => c.name === 'herd_session'), []);
    assert.equal(await page.getByTestId('signed-in-as').count(), 0);
    const failed = await listAudit(portal.svc.store.db, { action: 'sign_in_failed' });
    assert.ok(failed.some((e) => e.subject === ACCOUNTS.reviewer));
    await context.close();
  });

  test('an unknown name gets exactly the same message as a wrong password', async () => {
    const { page, context } = await browser.page();
    await signIn(page, 'nobody-here', PASSWORD);
    const unknown = await page.getByTestId('sign-in-error').innerText();
    await signIn(page, ACCOUNTS.contributor, 'wrong wrong wrong');
    const wrong = await page.getByTestId('sign-in-error').innerText();
    assert.equal(unknown, wrong);
    await context.close();
  });

  test('after five failures even the right password waits, and the page says so', async () => {
    const { page, context } = await browser.page();
    for (let i = 0; i < 5; i++) {
      await signIn(page, ACCOUNTS.viewer, `wrong guess ${i}`);
      await page.getByTestId('sign-in-error').waitFor();
    }
    await signIn(page, ACCOUNTS.viewer, PASSWORD);
    await page.getByText(/too many failed sign-ins/).waitFor();
    assert.equal(await page.getByTestId('signed-in-as').count(), 0);
    await context.close();
  });

  test('signing in shows who is signed in, survives a reload, and signing out ends the session', async () => {
    const { page, context, screenshot } = await browser.page();
    await signIn(page, ACCOUNTS.admin, PASSWORD);
    const who = page.getByTestId('signed-in-as');
    await who.waitFor();
    assert.equal(await who.innerText(), 'ann (admin)');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'herd_session');
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('herd_session')), false, 'scripts cannot read the session');
    await page.reload();
    await who.waitFor();
    await screenshot('signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await who.count(), 0);
    const me = await page.evaluate(async () => (await fetch('/api/session')).json());
    assert.deepEqual(me, { signedIn: false });
    const [entry] = await listAudit(portal.svc.store.db, { action: 'sign_out' });
    assert.equal(entry?.subject, ACCOUNTS.admin);
    await context.close();
  });
});
