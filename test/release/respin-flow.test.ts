import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { startServer } from '../../src/api/server.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { SqlQueue } from '../../src/queue/sql-queue.ts';
import { loadRecipe } from '../../src/recipe/load.ts';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import type { InstalledRef } from '../../src/release/pending-updates.ts';
import { respinProduct } from '../../src/release/respin.ts';
import { startRespinScheduler } from '../../src/release/respin-scheduler.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import type { Database } from '../../src/store/database.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { createPendingRelease, getRelease, listReleases, markReleasePublished } from '../../src/store/releases.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { makeDeb, makeSigningKey, serveDir, type SigningKey, writeArchive } from '../helpers/apt-archive.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { makeServices } from './fixtures/services.ts';

/**
 * The respin flow of issue #11 against a real signed archive served on 127.0.0.1 and moved forward: the
 * scheduler of `herd serve`, promotion to stable (after QA, after a soak), respins of the products that extend
 * a respun recipe, and the guard that keeps two processes from queueing the same respin. Builds are faked at
 * the engine's seam (releaseHandlers' buildAndTest): they write a tested build output holding what the archive offers.
 */
const DAY = 86_400_000;
const OLD: InstalledRef[] = [
  { name: 'systemd', version: '252.38-1~deb12u1', arch: 'all' }, { name: 'libc6', version: '2.36-9+deb12u9', arch: 'all' },
  { name: 'hello', version: '2.10-3', arch: 'all' },
];
const NEW = OLD.map((p) => (p.name === 'libc6' ? { ...p, version: '2.36-9+deb12u10' } : p));

/**
 * The queue, except that its first `n` listings of queued jobs answer only once all `n` have asked: every caller
 * sees "nothing in flight" before any of them enqueues, the race two processes run in production.
 */
function listedTogether(q: Queue, n: number): Queue {
  const waiting: Array<() => void> = [];
  const list: Queue['list'] = async (f) => {
    const jobs = await q.list(f);
    if (f?.state === 'queued' && waiting.length < n) {
      await new Promise<void>((ok) => {
        waiting.push(ok);
        if (waiting.length === n) for (const w of waiting) w();
      });
    }
    return jobs;
  };
  return new Proxy(q, { get: (t, k) => (k === 'list' ? list : (t as any)[k]?.bind?.(t) ?? (t as any)[k]) });
}

describe('respins: the scheduler, promotion to stable, dependents, the guard', () => {
  let dir: string;
  let key: SigningKey;
  let main: Awaited<ReturnType<typeof serveDir>>;
  let security: Awaited<ReturnType<typeof serveDir>>;
  let env: Awaited<ReturnType<typeof makeServices>>;
  const deb = (name: string, version: string) => makeDeb(dir, name, version);
  const buildJobs = async () => (await env.svc.queue.list({ kind: 'build', state: 'queued' }));
  const cancelQueued = async () => { for (const j of await buildJobs()) await env.svc.queue.cancel(j.id); };
  const publish = async (db: Database['db'], product: string, version: string, o: { untested?: boolean; packages?: InstalledRef[] } = {}) => {
    await ensureProduct(db, product);
    const r = await createPendingRelease(db, { productId: product, version, channel: 'testing', recipeDigest: 'sha256:x', packages: o.packages ?? OLD, untested: o.untested });
    await markReleasePublished(db, r.id);
    return r;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-respin-'));
    key = makeSigningKey(dir);
    writeArchive(join(dir, 'main'), 'bookworm', OLD.map((p) => deb(p.name, p.version)), key, new Date('2026-11-01T00:00:00Z'));
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('libc6', '2.36-9+deb12u9')], key, new Date('2026-11-01T00:00:00Z'));
    main = await serveDir(join(dir, 'main'));
    security = await serveDir(join(dir, 'security'));
    env = await makeServices('herd-respin-svc-');
    const recipes = join(env.dir, 'recipes');
    mkdirSync(recipes);
    env.svc.recipesDir = recipes;
    const archive = ['archive:', `  keyring: ${key.keyring}`, '  sources:', `    - uri: ${main.url}`, '      suites: [bookworm]', `    - uri: ${security.url}`, '      suites: [bookworm-security]'];
    const quiet = ['respin:', '  schedule: none', '  security: scheduled'];
    // web: the policy's defaults (security at once, promote after-qa); app extends web, app-plus extends app (a chain);
    // other extends the catalogue's base directly and soaks three days
    writeFileSync(join(recipes, 'web.yaml'), [`extends: ${join(DEFAULT_RECIPES_DIR, 'base.yaml')}`, 'name: web', ...archive, ''].join('\n'));
    writeFileSync(join(recipes, 'app.yaml'), ['extends: web.yaml', 'name: app', ...quiet, ''].join('\n'));
    writeFileSync(join(recipes, 'app-plus.yaml'), ['extends: app.yaml', 'name: app-plus', ...quiet, ''].join('\n'));
    writeFileSync(join(recipes, 'other.yaml'), [`extends: ${join(DEFAULT_RECIPES_DIR, 'base.yaml')}`, 'name: other', ...archive, ...quiet, '  promote: 3d', ''].join('\n'));
    for (const p of ['app', 'app-plus', 'other', 'web']) await publish(env.svc.store.db, p, '2026.11.01.0');
    // published from a recipe outside the catalogue: it can never be respun, and must not stop the others
    await publish(env.svc.store.db, 'stray', '2026.11.01.0');
  });
  after(async () => {
    await env?.cleanup();
    await main?.close();
    await security?.close();
    key?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a tick while the archive holds what the images hold queues nothing; a product that cannot be read is logged once, not thrown', async () => {
    const lines: string[] = [];
    const scheduler = startRespinScheduler(env.svc, { firstTickMs: 3_600_000, log: (l) => lines.push(l) });
    try {
      const first = await scheduler.tick();
      assert.deepEqual([first.respun, first.promoted], [[], []]);
      assert.deepEqual([...new Set(first.failed.map((f) => f.product))], ['stray']);
      assert.match(first.failed[0]!.error, /catalogue\.unknown_recipe/);
      const again = await scheduler.tick();
      assert.equal(again.failed.length, first.failed.length, 'it fails again');
      assert.equal(lines.length, 1, `said once: ${lines.join(' | ')}`);
      assert.deepEqual(await buildJobs(), []);
    } finally {
      await scheduler.stop();
    }
  });

  test('a security update arrives: one tick respins web and, with reason base, app and app-plus that extend it; the next tick adds nothing', async () => {
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('libc6', '2.36-9+deb12u10')], key, new Date('2026-11-21T00:00:00Z'));
    const lines: string[] = [];
    const scheduler = startRespinScheduler(env.svc, { firstTickMs: 3_600_000, log: (l) => lines.push(l) });
    try {
      const report = await scheduler.tick();
      assert.deepEqual(report.respun.map((r) => [r.product, r.dependents]), [['web', ['app', 'app-plus']]], 'other waits for its schedule (security: scheduled)');
      assert.ok(lines.some((l) => /respin of web queued .*1 security update pending \(libc6\); with it app, app-plus/.test(l)), lines.join('\n'));
      const jobs = await buildJobs();
      assert.deepEqual(jobs.map((j) => (j.payload as { product: string }).product).sort(), ['app', 'app-plus', 'web']);
      for (const j of jobs) {
        const p = j.payload as { product: string };
        const respin = p.product === 'web' ? { reason: 'security', why: '1 security update pending (libc6)' } : { reason: 'base', why: 'base web respun' };
        assert.deepEqual({ ...(j.payload as object), product: undefined, recipe: undefined }, { v: 2, channel: 'testing', qa: 'full', publish: true, promote: 'stable', respin, product: undefined, recipe: undefined });
      }
      assert.deepEqual((await scheduler.tick()).respun, [], 'in flight: nothing queued twice');
      assert.equal((await buildJobs()).length, 3);
    } finally {
      await scheduler.stop();
    }
  });

  test('after-qa: the respin job publishes its QA-passed release to testing and promotes it to stable; an untested one stays in testing', async () => {
    const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, {
      buildsDir: join(env.dir, 'data', 'builds'),
      buildAndTest: async (recipePath, outDir, qa) => {
        writeBuildOutput(outDir, { name: loadRecipe(recipePath).recipe.name, packages: NEW, tested: qa !== 'none' });
        return { budget: [] };
      },
    }) });
    while (await worker.runOnce());
    for (const p of ['web', 'app', 'app-plus']) {
      const [newest] = await listReleases(env.svc.store.db, { productId: p, state: 'published' });
      assert.deepEqual([newest!.channel, newest!.untested, newest!.packages.find((x) => x.name === 'libc6')?.version], ['stable', false, '2.36-9+deb12u10'], p);
    }
    const untested = await env.svc.queue.enqueue('build', { v: 2, recipe: 'web', product: 'web', channel: 'testing', qa: 'none', publish: true, promote: 'stable' });
    await worker.runOnce();
    const done = await env.svc.queue.get(untested.id);
    const result = done!.result as { releaseId: string; promoteError?: string; promoted?: string };
    assert.equal(result.promoted, undefined);
    assert.match(result.promoteError ?? '', /without QA.*cannot reach stable/);
    assert.equal((await getRelease(env.svc.store.db, result.releaseId))!.channel, 'testing');
    // the respun products hold what the archive offers: nothing to respin
    const web = await respinProduct(env.svc, 'web', { dryRun: true });
    assert.deepEqual([web.decision.due, web.updates.updates], [false, []]);
  });

  test('a soak: the scheduler promotes the newest QA-passed testing release only once it has soaked, never an untested one', async () => {
    const soaking = await publish(env.svc.store.db, 'other', '2026.11.22.0', { packages: NEW });
    const at = (ms: number) => startRespinScheduler(env.svc, { firstTickMs: 3_600_000, now: () => new Date(Date.now() + ms), log: () => {} });
    for (const [ms, promoted] of [[1 * DAY, []], [3 * DAY + 60_000, ['other']]] as const) {
      const s = at(ms);
      const report = await s.tick();
      await s.stop();
      assert.deepEqual(report.promoted.map((p) => p.product), promoted, `${ms / DAY} days after`);
    }
    assert.equal((await getRelease(env.svc.store.db, soaking.id))!.channel, 'stable');
    const untested = await publish(env.svc.store.db, 'other', '2026.11.23.0', { packages: NEW, untested: true });
    const s = at(30 * DAY);
    assert.deepEqual((await s.tick()).promoted, []);
    await s.stop();
    assert.equal((await getRelease(env.svc.store.db, untested.id))!.channel, 'testing');
    // soaked, QA passed, but a security update is pending for it (libc6): it stays in testing, and the pass says why
    const stale = await publish(env.svc.store.db, 'other', '2026.11.24.0', { packages: OLD });
    const late = at(30 * DAY);
    const report = await late.tick();
    await late.stop();
    assert.deepEqual(report.promoted, []);
    assert.ok(report.failed.some((f) => f.product === 'other' && /respin\.not_promoted.*security update/.test(f.error)), JSON.stringify(report.failed));
    assert.equal((await getRelease(env.svc.store.db, stale.id))!.channel, 'testing');
  });

  test('a respin build that failed is not queued again on every pass: the policy waits 6 hours, --force does not', async () => {
    await cancelQueued();
    await publish(env.svc.store.db, 'web', '2026.12.31.0', { packages: OLD }); // libc6's security update is pending for it
    const first = await respinProduct(env.svc, 'web');
    assert.ok(first.job);
    const failedAt = new Date();
    await env.svc.store.db.updateTable('jobs').set({ state: 'failed', finished_at: failedAt.toISOString(), error: 'qa.failed: boot' }).where('id', '=', first.job!.id).execute();
    const soon = await respinProduct(env.svc, 'web', { now: new Date(failedAt.getTime() + 3_600_000) });
    assert.deepEqual([soon.decision.due, soon.job, soon.failedRecently?.id], [true, undefined, first.job!.id]);
    const forced = await respinProduct(env.svc, 'web', { force: true, now: new Date(failedAt.getTime() + 3_600_000) });
    assert.ok(forced.job, 'forced: queued at once');
    await cancelQueued();
    await env.svc.store.db.updateTable('jobs').set({ state: 'failed', finished_at: failedAt.toISOString() }).where('id', '=', forced.job!.id).execute();
    const later = await respinProduct(env.svc, 'web', { now: new Date(failedAt.getTime() + 7 * 3_600_000) });
    assert.ok(later.job, 'after the back-off the policy queues it again');
    await cancelQueued();
    await publish(env.svc.store.db, 'web', '2027.01.01.0', { packages: NEW }); // current again, for the tests after this one
  });

  test('dependents are respun once: one already in flight is reported, not queued again', async () => {
    await cancelQueued();
    const app = await respinProduct(env.svc, 'app', { force: true });
    assert.ok(app.job);
    assert.deepEqual(app.dependents?.map((d) => [d.product, d.why, Boolean(d.job)]), [['app-plus', 'base app respun', true]]);
    await cancelQueued();
    const appAgain = await respinProduct(env.svc, 'app', { force: true });
    const web = await respinProduct(env.svc, 'web', { force: true });
    assert.ok(web.job);
    assert.deepEqual(web.dependents?.map((d) => [d.product, d.reason, d.job?.id, d.inFlight?.id]), [
      ['app', 'base', undefined, appAgain.job!.id], ['app-plus', 'base', undefined, appAgain.dependents![0]!.job!.id],
    ]);
    const dry = await respinProduct(env.svc, 'web', { force: true, dryRun: true });
    assert.deepEqual(dry.dependents?.map((d) => [d.product, d.job]), [['app', undefined], ['app-plus', undefined]]);
    const twice = await respinProduct(env.svc, 'web', { force: true });
    assert.deepEqual([twice.job, twice.inFlight?.id, twice.dependents], [undefined, web.job!.id, undefined]);
    assert.equal((await buildJobs()).length, 3);
    await cancelQueued();
  });

  test('POST /api/products/:id/respin: a publisher\'s; anonymous, a viewer, a foreign Origin and an unknown key are refused', async () => {
    const app = createApp(env.svc, { dataDir: join(env.dir, 'data') });
    const [publisher, viewer] = [await tokenFor(env.svc, 'publisher'), await tokenFor(env.svc, 'viewer')];
    const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(`/api/products/${id}/respin`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    assert.equal((await post('web', {})).status, 401);
    assert.equal((await post('web', {}, bearer(viewer))).status, 403);
    const foreign = await post('web', {}, { ...bearer(publisher), origin: 'https://evil.example' });
    assert.deepEqual([foreign.status, (await foreign.json() as { code: string }).code], [403, 'api.foreign_origin']);
    assert.equal((await post('web', { force: true, dryRun: true, path: '/etc' }, bearer(publisher))).status, 400);
    assert.equal((await post('nope', {}, bearer(publisher))).status, 404);
    assert.deepEqual(await buildJobs(), [], 'nothing refused queued anything');
    const dry = await post('web', { force: true, dryRun: true }, bearer(publisher));
    assert.equal(dry.status, 200);
    const body = await dry.json() as { decision: { due: boolean; why: string }; job?: unknown; dependents: Array<{ product: string }> };
    assert.deepEqual([body.decision.due, body.job, body.dependents.map((d) => d.product)], [true, undefined, ['app', 'app-plus']]);
    assert.match(body.decision.why, /^forced/);
    const real = await (await post('web', { force: true }, bearer(publisher))).json() as { job: { id: string }; dependents: Array<{ job?: { id: string } }> };
    assert.ok(real.job.id && real.dependents.every((d) => d.job));
    const again = await (await post('web', { force: true }, bearer(publisher))).json() as { job?: unknown; inFlight: { id: string } };
    assert.deepEqual([again.job, again.inFlight.id], [undefined, real.job.id]);
    await cancelQueued();
  });

  for (const target of testDatabases) {
    test(`two respins of one product at once queue exactly one build (${target.name})`, { skip: target.skip }, async () => {
      const h = await target.open({ poolSize: 8 });
      try {
        const svc: ReleaseServices = { ...env.svc, store: h, queue: listedTogether(new SqlQueue(h), 4) };
        await publish(h.db, 'web', '2026.11.01.0');
        const outcomes = await Promise.all(Array.from({ length: 4 }, () => respinProduct(svc, 'web', { force: true })));
        const queued = outcomes.filter((o) => o.job);
        assert.equal(queued.length, 1, 'one of them queued it');
        for (const o of outcomes.filter((x) => !x.job)) assert.equal(o.inFlight?.id, queued[0]!.job!.id, 'the others report it');
        assert.equal((await svc.queue.list({ kind: 'build' })).length, 1);
        // once that build ended, the next respin takes the claim over
        await svc.queue.cancel(queued[0]!.job!.id);
        const next = await Promise.all([respinProduct(svc, 'web', { force: true }), respinProduct(svc, 'web', { force: true })]);
        assert.equal(next.filter((o) => o.job).length, 1);
        assert.equal((await svc.queue.list({ kind: 'build', state: 'queued' })).length, 1);
      } finally {
        await h.close();
      }
    });
  }

  test('herd serve runs the scheduler (stopped by close), or none with respin: false', async () => {
    const lines: string[] = [];
    const server = await startServer(env.svc, { host: '127.0.0.1', port: 0, dataDir: join(env.dir, 'data'), worker: false, respin: { everyMs: 20, firstTickMs: 5, log: (l) => lines.push(l) } });
    try {
      for (let i = 0; i < 200 && !lines.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(lines[0] ?? '', /respin of stray failed/, 'the first tick ran');
    } finally {
      await server.close();
    }
    const none = await startServer(env.svc, { host: '127.0.0.1', port: 0, dataDir: join(env.dir, 'data'), worker: false, respin: false });
    assert.equal(none.respin, undefined);
    await none.close();
  });
});
