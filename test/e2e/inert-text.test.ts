import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, type WatchedPage } from './browser.ts';
import { ACCOUNTS, PASSWORD, type Portal, startPortal } from './portal-server.ts';

/**
 * Script and HTML payloads, each with a marker, so a page that shows the text at all can be checked for
 * showing all of it literally. Every way they could run sets window.__xss or opens a dialog.
 */
const PAYLOAD = {
  title: 'XSS-TITLE <img src=x onerror="window.__xss=1;alert(1)">',
  description: 'XSS-DESC <script>window.__xss=2</script>"><svg onload="window.__xss=3"></svg> [link](javascript:window.__xss=4) {{constructor.constructor(\'window.__xss=5\')()}}',
  reason: 'XSS-REASON <iframe srcdoc="<script>parent.__xss=6</script>"></iframe><b onmouseover=alert(6)>bold</b>',
  templateTitle: 'XSS-TTITLE <img src=x onerror="window.__xss=7">',
  templateDescription: 'XSS-TDESC <script>window.__xss=8</script><a href="javascript:window.__xss=9">click</a>\n<style>*{display:none}</style>',
  account: '<img src=x onerror=alert(7)>',
};
const RECIPE = 'name: xss-probe\ndescription: a probe\nextends: base\npackages: [nginx]\n';

describe('user-submitted text is inert in the browser', () => {
  let portal: Portal;
  let browser: Browser;
  let templateId: string;
  const api = async (path: string, body: unknown, token = portal.tokens.admin) =>
    fetch(`${portal.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    const product = await api('/api/products', { id: 'xss-probe', recipe: 'base', title: PAYLOAD.title, description: PAYLOAD.description }, portal.tokens.publisher);
    assert.equal(product.status, 201, await product.text());
    const revoke = await api(`/api/releases/${portal.releases.python.release.id}/revoke`, { reason: PAYLOAD.reason }, portal.tokens.publisher);
    assert.equal(revoke.status, 200, await revoke.text());
    const template = await api('/api/library', { slug: 'xss-probe', title: PAYLOAD.templateTitle, description: PAYLOAD.templateDescription, recipe: RECIPE }, portal.tokens.contributor);
    assert.equal(template.status, 201, await template.clone().text());
    templateId = (await template.json()).template.id;
  });
  after(async () => { await browser?.close(); await portal?.close(); });

  /** Nothing ran, nothing was injected as markup, and any payload the page shows is shown whole, as text. */
  async function assertInert(w: WatchedPage, where: string): Promise<string[]> {
    const { page } = w;
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, `${where}: a payload ran`);
    assert.deepEqual(w.dialogs, [], `${where}: a dialog opened`);
    assert.deepEqual(await w.violations(), [], `${where}: the page tried something its CSP forbids`);
    assert.deepEqual(w.errors, [], `${where}: uncaught page errors`);
    const injected = await page.evaluate(() => [
      ...document.querySelectorAll('img[src="x"], svg[onload], iframe[srcdoc], [onerror], [onmouseover], script:not([src])'),
      ...[...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href')!)),
    ].map((e) => e.outerHTML.slice(0, 120)));
    assert.deepEqual(injected, [], `${where}: payload markup became elements`);
    const text = await page.evaluate(() => document.body.innerText);
    const shown: string[] = [];
    for (const [field, payload] of Object.entries(PAYLOAD)) {
      const marker = payload.split(' ')[0]!;
      if (!marker.startsWith('XSS-') || !text.includes(marker)) continue;
      assert.ok(text.includes(payload), `${where}: ${field} is shown, but not literally:\n${text.slice(text.indexOf(marker), text.indexOf(marker) + 300)}`);
      shown.push(field);
    }
    return shown;
  }

  test('the portal sends its CSP, and the browser enforces it: an injected inline script does not run', async () => {
    const w = await browser.page();
    const res = await w.page.goto(`${portal.url}/`);
    const csp = res!.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res!.headers()['x-content-type-options'], 'nosniff');
    // what a DOM-based injection would do: add an inline script and an inline handler
    await w.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__xss = "inline script"';
      document.body.append(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__xss = "inline handler"');
      img.src = 'data:,not-an-image';
      document.body.append(img);
    });
    await w.page.waitForFunction(() => (window as unknown as { __violations: string[] }).__violations.length >= 2);
    assert.equal(await w.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
    const violations = await w.violations();
    assert.ok(violations.some((v) => v.startsWith('script-src-elem')), violations.join('\n'));
    assert.ok(violations.some((v) => v.startsWith('script-src-attr')), violations.join('\n'));
    await w.context.close();
  });

  test('the check catches a page that renders a payload as HTML (as innerHTML would)', async () => {
    const w = await browser.page();
    await w.page.goto(`${portal.url}/sign-in`);
    await w.page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), PAYLOAD.title);
    await w.page.waitForFunction(() => (window as unknown as { __violations: string[] }).__violations.length >= 1);
    await assert.rejects(assertInert(w, 'innerHTML'), /CSP forbids|payload markup/);
    await w.context.close();
  });

  test('an account name cannot carry markup: the API refuses it', async () => {
    const res = await api('/api/accounts', { name: PAYLOAD.account, role: 'viewer', password: 'a long enough passphrase' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'account.bad_name');
  });

  test('a payload typed as an account name on the sign-in page stays text', async () => {
    const w = await browser.page();
    await w.page.goto(`${portal.url}/sign-in`);
    await w.page.locator('#name').fill(PAYLOAD.account);
    await w.page.locator('#password').fill('whatever it is');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByTestId('sign-in-error').waitFor();
    await assertInert(w, 'sign-in');
    await w.context.close();
  });

  test('product titles and descriptions, revoke reasons, template titles and descriptions: every portal page shows them inert', async () => {
    const py = portal.releases.python.release;
    const pages = ['/', '/use-cases/base', '/images/xss-probe', '/images/stack-python', `/images/stack-python/notes/${py.id}`,
      `/images/stack-python/notes/${py.version}`, '/library', `/library/${templateId}`, '/builds', '/docs'];
    const shownAnywhere = new Set<string>();
    for (const signedIn of [false, true]) {
      const w = await browser.page();
      if (signedIn) {
        await w.page.goto(`${portal.url}/sign-in`);
        await w.page.locator('#name').fill(ACCOUNTS.admin);
        await w.page.locator('#password').fill(PASSWORD);
        await w.page.getByRole('button', { name: 'Sign in' }).click();
        await w.page.getByTestId('signed-in-as').waitFor();
      }
      for (const path of pages) {
        await w.page.goto(`${portal.url}${path}`);
        await w.page.waitForLoadState('networkidle');
        for (const f of await assertInert(w, `${path}${signedIn ? ' (signed in)' : ''}`)) shownAnywhere.add(f);
      }
      await w.context.close();
    }
    // the pages that show these exist (release notes, the template page): each payload was seen, and was text
    for (const f of ['reason', 'templateTitle', 'templateDescription']) assert.ok(shownAnywhere.has(f), `no page showed the ${f} payload`);
  });
});
