import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { checkBudget } from '../../src/engine/size-budget.ts';
import { AppError } from '../../src/errors.ts';
import { submitTemplate } from '../../src/library/library.ts';
import { loadRecipe } from '../../src/recipe/load.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { type Browser, launchBrowser, type WatchedPage } from './browser.ts';
import { ACCOUNTS, PASSWORD, type Portal, startPortal } from './portal-server.ts';

const MiB = 1024 * 1024;
/** Long enough for a loaded machine: the template page polls a pending check every 5 s. */
const SLOW = { timeout: 30_000 };

// Line 4 misspells `packages`: the editor must say so at 4:1 and suggest the right key.
const WITH_MISTAKE = 'extends: base\nname: web-nginx\ndescription: nginx on the base image\npakages:\n  - nginx\nsize-budget:\n  qcow2: 300MiB\n';
const FIXED = WITH_MISTAKE.replace('pakages:', 'packages:');
const REVISED = FIXED.replace('  - nginx\n', '  - nginx\n  - curl\n');
const XSS_COMMENT = 'Please add curl. <img src=x onerror="window.__xss=1"> <script>window.__xss=1</script>';

/**
 * The engine's seam (releaseHandlers' buildAndTest), as test/release/library.test.ts uses it: the recipe file
 * the worker wrote from the stored text is loaded with the real loader (so `extends: base` resolves against
 * the catalogue) and held to its real size budget; the image is 100 MiB and boots. The real build and boot
 * of a template check is test/build/template-check.integration.test.ts. Everything else here is real: the
 * job queue, the worker, the recording of the check's outcome on the revision.
 */
const built: string[] = [];
/** Builds of the recipe named `flaky-build` that fail as a mirror that did not answer would, before any image is made. */
let flakyFailures = 0;
async function standInEngine(recipePath: string) {
  const { recipe } = loadRecipe(recipePath);
  built.push(recipe.name);
  if (recipe.name === 'flaky-build' && flakyFailures-- > 0) throw new AppError('build.download_failed', 'the package mirror did not answer');
  const budget = checkBudget(recipe['size-budget'], { qcow2: 100 * MiB, rootfs: 300 * MiB });
  if (budget.some((b) => !b.ok)) throw new AppError('size.budget_exceeded', 'qcow2 over the recipe\'s size budget');
  return { budget };
}

describe('template library in a browser: submit → check → review → approve → build', () => {
  let portal: Portal;
  let browser: Browser;
  let worker: Worker;
  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    worker = new Worker({
      queue: portal.svc.queue, pollMs: 100, retryDelayMs: () => 0,
      handlers: releaseHandlers(portal.svc, { buildsDir: join(portal.dataDir, 'builds'), buildAndTest: standInEngine }),
    });
  });
  after(async () => { await worker?.stop(); await browser?.close(); await portal?.close(); });

  const signIn = async (page: Page, name: string) => {
    await page.goto(`${portal.url}/sign-in`);
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
  };
  const checkState = (page: Page) => page.getByTestId('current-revision').getByTestId('check-summary');
  const waitForCheck = (page: Page, state: string) => checkState(page).and(page.locator(`[data-state="${state}"]`)).waitFor(SLOW);
  const waitForTemplateState = (page: Page, state: string) => page.locator(`[data-testid="template"][data-state="${state}"]`).waitFor(SLOW);

  /** Nothing a comment carried ran, opened a dialog, broke a CSP rule or threw. */
  async function assertNothingRan(w: WatchedPage, where: string) {
    assert.equal(await w.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, `${where}: a payload ran`);
    assert.deepEqual(w.dialogs, [], `${where}: a dialog opened`);
    assert.deepEqual(await w.violations(), [], `${where}: CSP violations`);
    assert.deepEqual(w.errors, [], `${where}: page errors`);
    assert.equal(await w.page.locator('img[src="x"], [onerror], script:not([src])').count(), 0, `${where}: the comment became markup`);
  }

  test('two people, two browsers: carl submits and revises, rita requests changes (a payload shown as text) and approves, carl builds', async () => {
    const carl = await browser.page();
    const rita = await browser.page();
    const c = carl.page;
    const r = rita.page;

    // carl: the library, then the submit page with a mistake the editor finds as he types
    await signIn(c, ACCOUNTS.contributor);
    await c.goto(`${portal.url}/library`);
    await c.getByTestId('library-results').waitFor();
    await carl.screenshot('library');
    await c.getByTestId('submit-template-link').click();
    await c.waitForURL(/\/library\/submit$/);
    await c.getByTestId('template-title-input').fill('Web server (nginx)');
    assert.equal(await c.getByTestId('template-slug-input').inputValue(), 'web-server-nginx', 'the short name follows the title');
    await c.getByTestId('template-description-input').fill('nginx on the base image, with curl for health checks');
    await c.getByTestId('recipe-editor').fill(WITH_MISTAKE);
    const problem = c.getByTestId('recipe-problem').filter({ hasText: 'pakages' });
    await problem.waitFor(SLOW);
    assert.deepEqual([await problem.getAttribute('data-line'), await problem.getAttribute('data-column'), await problem.getAttribute('data-severity')], ['4', '1', 'error']);
    assert.match(await problem.innerText(), /Error, line 4:1/);
    assert.match(await problem.innerText(), /unknown key "pakages" \(did you mean "packages"\?\)/);
    assert.equal(await c.getByTestId('submit-template').isDisabled(), true, 'a recipe with errors cannot be submitted');
    await problem.scrollIntoViewIfNeeded();
    await carl.screenshot('submit-with-problems');
    // the problem is a button that puts the caret on it
    await problem.click();
    assert.equal(await c.getByTestId('recipe-editor').evaluate((el: HTMLTextAreaElement) => el.selectionStart), WITH_MISTAKE.indexOf('pakages'));

    await c.getByTestId('recipe-editor').fill(FIXED);
    await c.getByTestId('recipe-problem-count').filter({ hasText: 'No problems found' }).waitFor(SLOW);
    await c.getByTestId('submit-template').click();
    await c.waitForURL(/\/library\/[0-9a-f-]{36}$/, SLOW);
    const templateId = c.url().split('/').pop()!;
    await waitForTemplateState(c, 'checking');
    // no worker runs yet: the check waits in the queue, and the page says so
    assert.equal(await checkState(c).getAttribute('data-state'), 'pending');
    assert.equal(await c.getByTestId('recipe-text').textContent(), FIXED);
    assert.equal(await c.getByTestId('template-author').innerText(), ACCOUNTS.contributor);
    const checkJob = (await c.getByTestId('current-revision').getByTestId('check-job-link').getAttribute('href'))!.split('/').pop()!;
    assert.equal((await portal.svc.queue.get(checkJob))?.state, 'queued', 'the check is a real job in the queue');

    // the worker takes the check; the page (polling while a check is open) shows it passed
    worker.start();
    await waitForCheck(c, 'passed');
    await waitForTemplateState(c, 'in_review');
    assert.deepEqual(built, ['web-nginx'], 'the worker built the stored text');
    assert.equal((await portal.svc.queue.get(checkJob))?.state, 'succeeded');
    assert.match(await checkState(c).innerText(), /build passed, boot test passed, within size budget/);
    await carl.screenshot('template-in-review');

    // carl is the author (and a contributor): no review form, and the server refuses his review
    assert.equal(await c.getByTestId('review-form').count(), 0);
    assert.equal(await c.getByTestId('review-submit').count(), 0);
    const refused = await c.evaluate(async (id) => {
      const s = await (await fetch('/api/session')).json();
      const digest = (await (await fetch(`/api/library/${id}`)).json()).current.digest;
      const res = await fetch(`/api/library/${id}/reviews`, {
        method: 'POST', headers: { 'content-type': 'application/json', [s.csrfHeader]: s.csrfToken }, body: JSON.stringify({ revision: digest, verdict: 'approve' }),
      });
      return { status: res.status, code: (await res.json()).code };
    }, templateId);
    // refused on his role before anything else (the self-review rule is the next test's)
    assert.deepEqual(refused, { status: 403, code: 'api.forbidden' });

    // rita: the review form is bound to the digest on screen; she requests changes with a payload in the comment
    await signIn(r, ACCOUNTS.reviewer);
    await r.goto(`${portal.url}/library/${templateId}`);
    const form = r.getByTestId('review-form');
    await form.waitFor(SLOW);
    const digest1 = await r.getByTestId('current-revision').getAttribute('data-digest');
    assert.match(digest1 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(await form.getAttribute('data-digest'), digest1);
    await r.getByTestId('review-verdict-request-changes').check();
    await r.getByTestId('review-comment').fill(XSS_COMMENT);
    await r.getByTestId('review-submit').click();
    await waitForTemplateState(r, 'changes_requested');
    const comment = r.getByTestId('reviews').getByTestId('review-comment-text');
    await comment.waitFor();
    assert.equal(await comment.innerText(), XSS_COMMENT, 'the comment is shown literally');
    await assertNothingRan(rita, 'reviewer, after requesting changes');

    // carl sees the comment (inert for him too) and submits a new revision from the template page
    await c.reload();
    await waitForTemplateState(c, 'changes_requested');
    assert.equal(await c.getByTestId('reviews').getByTestId('review-comment-text').innerText(), XSS_COMMENT);
    await assertNothingRan(carl, 'author, reading the review');
    await c.getByTestId('revision-editor-toggle').getByRole('button', { name: 'Submit a new revision' }).click();
    const revisionEditor = c.getByTestId('revision-form').getByTestId('recipe-editor');
    await revisionEditor.waitFor();
    assert.equal(await revisionEditor.inputValue(), FIXED, 'the new revision starts from the current text');
    await revisionEditor.fill(REVISED);
    await c.getByTestId('revision-form').getByTestId('recipe-problem-count').filter({ hasText: 'No problems found' }).waitFor(SLOW);
    await c.getByTestId('revision-submit').click();
    await c.locator('[data-testid="current-revision"][data-number="2"]').waitFor(SLOW);
    await waitForCheck(c, 'passed');
    await waitForTemplateState(c, 'in_review');
    assert.equal(await c.getByTestId('recipe-text').textContent(), REVISED);
    // the request for changes was about revision 1: listed as an earlier review, not as one of the current revision
    assert.equal(await c.getByTestId('no-reviews').count(), 1);
    await c.getByTestId('earlier-reviews-toggle').getByRole('button').click();
    const earlier = c.getByTestId('earlier-reviews').getByTestId('review');
    await earlier.waitFor();
    assert.equal(await earlier.getAttribute('data-verdict'), 'request_changes');
    assert.match(await earlier.innerText(), /revision 1/);
    assert.equal(await c.getByTestId('revision-history').getByTestId('revision').getAttribute('data-number'), '1');

    // rita reloads: the form is bound to the new digest; she approves
    await r.reload();
    await r.locator('[data-testid="current-revision"][data-number="2"]').waitFor(SLOW);
    const digest2 = await r.getByTestId('current-revision').getAttribute('data-digest');
    assert.notEqual(digest2, digest1);
    assert.equal(await r.getByTestId('review-form').getAttribute('data-digest'), digest2);
    await r.getByTestId('review-verdict-approve').check();
    await r.getByTestId('review-submit').click();
    await waitForTemplateState(r, 'approved');
    const approval = r.getByTestId('reviews').getByTestId('review');
    assert.equal(await approval.getAttribute('data-verdict'), 'approve');
    assert.equal(await approval.getAttribute('data-dismissed'), 'false');
    await rita.screenshot('template-approved');
    await assertNothingRan(rita, 'reviewer, after approving');

    // carl builds the approved template; the job link leads to its build page
    await c.reload();
    await waitForTemplateState(c, 'approved');
    await c.getByTestId('build-image').click();
    const link = c.getByTestId('build-link');
    await link.waitFor(SLOW);
    const buildId = (await link.getAttribute('href'))!.match(/^\/builds\/([0-9a-f-]{36})$/)?.[1];
    assert.ok(buildId, await link.getAttribute('href') ?? 'no href');
    const job = await portal.svc.queue.get(buildId);
    assert.deepEqual([job?.kind, (job?.payload as { check?: boolean }).check], ['build', false], 'a build of the approved revision, not a check');
    await link.click();
    await c.waitForURL(new RegExp(`/builds/${buildId}$`));
    await c.getByTestId('build-title').waitFor(SLOW);
    assert.match(await c.getByTestId('build-title').innerText(), /^Template build/);
    assert.equal(await c.getByTestId('build-facts').getByText(buildId, { exact: true }).count(), 1);
    await c.getByTestId('build-log').waitFor();
    // the worker runs it (the stand-in engine): the page follows it to the end without a reload
    await c.locator('[data-testid="build-state"][data-state="succeeded"]').waitFor(SLOW);
    assert.deepEqual(built, ['web-nginx', 'web-nginx', 'web-nginx']);
    await carl.screenshot('build-page');
    await assertNothingRan(carl, 'build page');
    await carl.context.close();
    await rita.context.close();
  });

  test('a check that failed on a build error: its author runs it again from the page, and it passes; a reviewer gets no such button', async () => {
    flakyFailures = 2; // both attempts of the check job
    const { view } = await submitTemplate(portal.svc, { id: 'e2e', name: ACCOUNTS.contributor, role: 'contributor', via: 'session' },
      { slug: 'flaky-build', title: 'Flaky build', description: '', recipe: 'extends: base\nname: flaky-build\npackages:\n  - curl\n' });
    const reviewer = await browser.page();
    await signIn(reviewer.page, ACCOUNTS.reviewer);
    await reviewer.page.goto(`${portal.url}/library/${view.template.id}`);
    await waitForCheck(reviewer.page, 'failed');
    assert.equal(await reviewer.page.getByTestId('recheck').count(), 0, 'only the author runs a check again');

    const author = await browser.page();
    await signIn(author.page, ACCOUNTS.contributor);
    await author.page.goto(`${portal.url}/library/${view.template.id}`);
    await waitForCheck(author.page, 'failed');
    assert.match(await checkState(author.page).innerText(), /mirror did not answer/);
    await author.page.getByTestId('recheck').click();
    await waitForCheck(author.page, 'passed');
    await waitForTemplateState(author.page, 'in_review');
    assert.equal(await author.page.getByTestId('recheck').count(), 0);
    await author.screenshot('library-recheck-passed');
    assert.deepEqual(author.errors, []);
  });

  test('a reviewer who wrote a template is told someone else reviews it; the server refuses her approval', async () => {
    worker.start();
    const res = await fetch(`${portal.url}/api/library`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'rita-own', title: 'Rita\'s own', description: '', recipe: FIXED.replace('web-nginx', 'rita-own') }),
    });
    assert.equal(res.status, 401, 'no anonymous submissions');
    const w = await browser.page();
    await signIn(w.page, ACCOUNTS.reviewer);
    const id = await w.page.evaluate(async (recipe) => {
      const s = await (await fetch('/api/session')).json();
      const r = await fetch('/api/library', {
        method: 'POST', headers: { 'content-type': 'application/json', [s.csrfHeader]: s.csrfToken },
        body: JSON.stringify({ slug: 'rita-own', title: 'Rita\'s own', description: '', recipe }),
      });
      return (await r.json()).template.id as string;
    }, FIXED.replace('web-nginx', 'rita-own'));
    await w.page.goto(`${portal.url}/library/${id}`);
    await waitForCheck(w.page, 'passed');
    await w.page.getByTestId('own-template').waitFor();
    assert.equal(await w.page.getByTestId('review-form').count(), 0);
    const refused = await w.page.evaluate(async (tid) => {
      const s = await (await fetch('/api/session')).json();
      const digest = (await (await fetch(`/api/library/${tid}`)).json()).current.digest;
      const r = await fetch(`/api/library/${tid}/reviews`, {
        method: 'POST', headers: { 'content-type': 'application/json', [s.csrfHeader]: s.csrfToken }, body: JSON.stringify({ revision: digest, verdict: 'approve' }),
      });
      return { status: r.status, code: (await r.json()).code };
    }, id);
    assert.deepEqual(refused, { status: 403, code: 'library.self_review' });
    await w.context.close();
  });
});
