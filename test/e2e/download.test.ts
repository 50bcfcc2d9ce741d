import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser } from './browser.ts';
import { CHANGELOG_CVE, type Portal, REVOKE_REASON, startPortal } from './portal-server.ts';

describe('downloading an image in a browser (anonymous)', () => {
  let portal: Portal;
  let browser: Browser;
  before(async () => { portal = await startPortal(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await portal?.close(); });

  test('home → use case → image → platform tab: sha256 and verify commands shown; the download has that sha256', async () => {
    const w = await browser.page();
    const { page } = w;
    const { release, artifacts } = portal.releases.base;
    const raw = artifacts.find((a) => a.format === 'raw.xz')!;
    await page.goto(`${portal.url}/`);
    const card = page.getByTestId('use-case-base');
    await card.getByTestId('latest-base').waitFor();
    assert.equal(await card.getByTestId('latest-base').innerText(), `${release.version} · stable`);
    await w.screenshot('home');
    await card.getByRole('link', { name: 'Plain base image' }).click();
    await page.waitForURL(/\/use-cases\/base$/);
    await page.getByTestId('image-card-base').waitFor();
    await w.screenshot('use-case');
    await page.getByTestId('image-card-base').getByTestId('image-link-base').click();
    await page.waitForURL(/\/images\/base$/);
    await page.getByTestId('shown-release').waitFor();
    assert.match(await page.getByTestId('shown-release').innerText(), new RegExp(`Release ${release.version.replaceAll('.', '\\.')}`));
    await page.getByTestId('platform-tabs').getByRole('tab', { name: 'Raw disk (raw.xz)' }).click();
    const panel = page.getByTestId('artifact-raw.xz');
    await panel.waitFor();
    assert.equal(await panel.getByTestId('sha256-raw.xz').innerText(), raw.sha256);
    const herdVerify = await panel.getByTestId('verify-herd-raw.xz').innerText();
    assert.match(herdVerify, /herd verify /);
    assert.ok(herdVerify.includes(`${portal.url}/feeds/stable.json`), herdVerify);
    const plain = await panel.getByTestId('verify-plain-raw.xz').innerText();
    assert.ok(plain.includes(`${raw.sha256}  disk.raw.xz`) && plain.includes('sha256sum -c'), plain);
    assert.match(plain, /gpgv/);
    await w.screenshot('image-downloads');

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('download-raw.xz').click()]);
    assert.equal(download.suggestedFilename(), 'disk.raw.xz');
    const bytes = readFileSync((await download.path())!);
    assert.equal(bytes.length, raw.size);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), raw.sha256);
    const sig = await page.evaluate(async (href) => (await fetch(href)).text(), (await panel.getByTestId('signature-raw.xz').getAttribute('href'))!);
    assert.match(sig, /^-----BEGIN PGP SIGNATURE-----/);
    assert.deepEqual(w.dialogs, []);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(await w.violations(), []);
    await w.context.close();
  });

  test('release notes: a revoked release is marked with its reason; the current one has its QA result and package changes', async () => {
    const w = await browser.page();
    const { page } = w;
    const old = portal.releases.baseOld.release;
    await page.goto(`${portal.url}/images/base`);
    await page.getByTestId(`notes-link-${old.version}`).click();
    await page.getByTestId('revoked-alert').waitFor();
    assert.ok([old.id, old.version].map((r) => `/images/base/notes/${r}`).includes(new URL(page.url()).pathname), page.url());
    assert.equal(await page.getByTestId('revoke-reason').innerText(), REVOKE_REASON);
    await w.screenshot('release-notes-revoked');
    const current = portal.releases.base.release;
    await page.goto(`${portal.url}/images/base/notes/${current.version}`);
    await page.getByTestId('qa-verdict').waitFor();
    assert.equal(await page.getByTestId('qa-verdict').innerText(), 'passed');
    assert.equal(await page.getByTestId('revoked-alert').count(), 0);
    // the changelog it was published with: the security update and the CVE it fixes, linked to Debian's tracker
    await page.getByTestId('release-changelog').waitFor();
    assert.equal(await page.getByTestId('count-security').innerText(), '1');
    const cve = page.getByTestId('security-updates').getByRole('link', { name: CHANGELOG_CVE });
    assert.equal(await cve.getAttribute('href'), `https://security-tracker.debian.org/tracker/${CHANGELOG_CVE}`);
    const openssl = page.getByTestId('upgrade-openssl');
    assert.equal(await openssl.getByText('buffer overread').isVisible(), false, 'entries are folded until asked for');
    await openssl.locator('summary').click();
    await openssl.getByText('buffer overread').waitFor();
    await page.getByTestId('upgrade-hello').locator('summary').click();
    assert.match(await page.getByTestId('upgrade-missing-hello').innerText(), /no changelog of its own/);
    await w.screenshot('release-notes');
    assert.deepEqual(w.errors, []);
    await w.context.close();
  });

  test('on a phone-sized screen the download panel is reachable and shows the sha256', async () => {
    const w = await browser.page({ width: 390, height: 844 });
    const { page } = w;
    const qcow2 = portal.releases.base.artifacts.find((a) => a.format === 'qcow2')!;
    await page.goto(`${portal.url}/images/base`);
    await page.getByTestId('sha256-qcow2').waitFor();
    assert.equal(await page.getByTestId('sha256-qcow2').innerText(), qcow2.sha256);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
    await w.screenshot('image-phone');
    await w.context.close();
  });
});
