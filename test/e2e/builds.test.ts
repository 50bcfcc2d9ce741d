import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Job } from '../../src/queue/queue.ts';
import { type Browser, launchBrowser } from './browser.ts';
import { ACCOUNTS, PASSWORD, type Portal, startPortal } from './portal-server.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';

/** The page refreshes the queue every 4 s and batches log lines; a loaded machine gets a margin on top. */
const SLOW = { timeout: 30_000 };
/** Plays the worker: claims and finishes jobs in the real queue, so the page sees what a worker would leave. */
const WORKER = 'e2e-worker';

describe('builds dashboard in a browser', () => {
  let portal: Portal;
  let browser: Browser;
  before(async () => { portal = await startPortal(); browser = await launchBrowser(); });
  after(async () => { await browser?.close(); await portal?.close(); });

  /** A build of the catalogue's base recipe, queued through the API as a contributor would (build only, no publish). */
  const enqueueBuild = async (): Promise<Job> => {
    const res = await fetch(`${portal.url}/api/products/base/builds`, {
      method: 'POST', headers: { authorization: `Bearer ${portal.tokens.contributor}`, 'content-type': 'application/json' }, body: JSON.stringify({ publish: false }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return res.json() as Promise<Job>;
  };
  const claim = async (expected: Job) => {
    const job = await portal.svc.queue.claim(WORKER, ['build']);
    assert.equal(job?.id, expected.id, 'the test worker took the job it meant to');
    return job!;
  };
  const signIn = async (page: Page, name: string) => {
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
  };

  test('signed out, /builds shows the API\'s refusal and a sign-in link that comes back to /builds', async () => {
    const w = await browser.page();
    const { page } = w;
    const anonymous = await (await fetch(`${portal.url}/api/jobs`)).json() as { message: string };
    await page.goto(`${portal.url}/builds`);
    const refusal = page.getByTestId('builds-error');
    await refusal.waitFor(SLOW);
    assert.equal(await refusal.getAttribute('data-status'), '401');
    assert.equal(await page.getByTestId('builds-error-message').innerText(), anonymous.message);
    assert.equal(await page.getByTestId('builds-running').count(), 0, 'no table without the viewer role');
    await w.screenshot('builds-signed-out');
    await page.getByTestId('builds-error-sign-in').click();
    await page.waitForURL(/\/sign-in\?next=%2Fbuilds$/);
    await signIn(page, ACCOUNTS.viewer);
    await page.waitForURL(/\/builds$/, SLOW);
    await page.getByTestId('builds-updated').waitFor(SLOW);
    assert.equal(await refusal.count(), 0);
    assert.deepEqual(w.errors, []);
    await w.context.close();
  });

  test('signed in as a viewer: running, queued and recently finished jobs, and a job queued later appears without a reload', async () => {
    const running = await enqueueBuild();
    await claim(running);
    await portal.svc.queue.log(running.id, 'progress', { phase: 'build', detail: 'resolving packages' });
    const done = await enqueueBuild();
    await claim(done);
    await portal.svc.queue.finish(done.id, WORKER, { outDir: 'x', tested: true });
    const queued = await enqueueBuild();

    const w = await browser.page();
    const { page } = w;
    await page.goto(`${portal.url}/sign-in?next=%2Fbuilds`);
    await signIn(page, ACCOUNTS.viewer);
    await page.waitForURL(/\/builds$/, SLOW);
    const row = (table: string, job: Job) => page.getByTestId(table).getByTestId(`job-link-${job.id}`);
    await row('builds-running', running).waitFor(SLOW);
    await row('builds-queued', queued).waitFor();
    await row('builds-recent', done).waitFor();
    assert.equal(await row('builds-running', running).innerText(), 'Build base');
    assert.equal(await page.getByTestId(`job-state-${running.id}`).getAttribute('data-state'), 'running');
    assert.equal(await page.getByTestId(`job-state-${queued.id}`).getAttribute('data-state'), 'queued');
    assert.equal(await page.getByTestId(`job-state-${done.id}`).getAttribute('data-state'), 'succeeded');
    assert.match(await page.getByTestId(`job-progress-${running.id}`).innerText(), /build: resolving packages/);
    assert.match(await page.getByTestId('builds-recent').innerText(), /built and tested/);
    await w.screenshot('builds');

    // the page polls: a job queued now shows up, and the finished one stays where it is
    await page.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true; });
    const later = await enqueueBuild();
    await row('builds-queued', later).waitFor(SLOW);
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'no reload');
    // leave the queue as the next test expects it: nothing queued ahead of its job
    for (const j of [queued, later]) await portal.svc.queue.cancel(j.id);
    await portal.svc.queue.finish(running.id, WORKER, { outDir: 'x', tested: true });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(await w.violations(), []);
    await w.context.close();
  });

  test('a build page streams log lines over server-sent events as the job records them, and follows it to its end', async () => {
    const job = await enqueueBuild();
    const w = await browser.page();
    const { page } = w;
    await page.goto(`${portal.url}/sign-in?next=${encodeURIComponent(`/builds/${job.id}`)}`);
    await signIn(page, ACCOUNTS.viewer);
    await page.waitForURL(new RegExp(`/builds/${job.id}$`), SLOW);
    await page.locator('[data-testid="build-state"][data-state="queued"]').waitFor(SLOW);
    const log = page.getByTestId('build-log');
    assert.equal(await log.innerText(), 'No log lines yet.');
    assert.equal(await page.getByTestId('cancel-job').count(), 0, 'a viewer cannot cancel');
    await page.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true; });

    // the worker takes it: the state event turns the page to running
    await claim(job);
    await page.locator('[data-testid="build-state"][data-state="running"]').waitFor(SLOW);
    const lines = ['apt: fetching 312 packages', 'dpkg: unpacking nginx <b>1.26</b> & "friends"'];
    for (const line of lines) await portal.svc.queue.log(job.id, 'log', { line });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="build-log"]')?.getAttribute('data-lines')) >= n, 2, SLOW);
    const shown = async () => (await log.textContent())!.split('\n').filter(Boolean);
    assert.deepEqual(await shown(), lines, 'each line arrives, in order, as text');
    assert.equal(await page.locator('#log-title').innerText(), 'Log (live)', 'from the event stream, not a reload or a poll');

    await portal.svc.queue.log(job.id, 'progress', { phase: 'qa', detail: 'booting' });
    await portal.svc.queue.log(job.id, 'progress', { step: 'abcdef0123456789', stage: 'org.herd.disk', status: 'succeeded', seconds: 2.5 });
    await portal.svc.queue.log(job.id, 'log', { line: 'QA pass B1 boots with BIOS' });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="build-log"]')?.getAttribute('data-lines')) >= n, 5, SLOW);
    assert.deepEqual((await shown()).slice(2), ['== qa: booting', '<< org.herd.disk succeeded 2.5s', 'QA pass B1 boots with BIOS']);
    await w.screenshot('build-live-log');

    // the worker leaves its output folder where `herd serve` keeps builds (built, not published)
    const outDir = writeBuildOutput(join(portal.dataDir, 'builds', job.id), { version: '2026.12.24.0' });
    await portal.svc.queue.finish(job.id, WORKER, { outDir, tested: true });
    await page.locator('[data-testid="build-state"][data-state="succeeded"]').waitFor(SLOW);
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'all of it without a reload');
    assert.equal(await page.locator('b').filter({ hasText: '1.26' }).count(), 0, 'a log line is never markup');
    await page.getByTestId('build-outputs').waitFor(SLOW);
    // an unpublished image downloads from its build page, with the session cookie alone
    const bytes = readFileSync(join(outDir, 'disk.qcow2'));
    const digest = createHash('sha256').update(bytes).digest('hex');
    const link = page.getByTestId('output-link-disk.qcow2');
    await link.waitFor(SLOW);
    assert.equal(await page.getByTestId('output-sha256-disk.qcow2').innerText(), digest);
    assert.match(await page.getByTestId('build-output-check').innerText(), new RegExp(`^echo '${digest}  disk\\.qcow2' \\| sha256sum -c$`, 'm'));
    const fetched = await page.evaluate(async (href) => {
      const res = await fetch(href);
      const body = await res.arrayBuffer();
      const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-256', body))].map((b) => b.toString(16).padStart(2, '0')).join('');
      return { status: res.status, length: body.byteLength, hex, disposition: res.headers.get('content-disposition') };
    }, (await link.getAttribute('href'))!);
    assert.deepEqual(fetched, { status: 200, length: bytes.length, hex: digest, disposition: 'attachment; filename="disk.qcow2"' });
    await w.screenshot('build-finished');
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.dialogs, []);
    assert.deepEqual(await w.violations(), []);
    await w.context.close();
  });
});
