import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareDebVersions } from '../../src/manifest/deb-version.ts';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import { productUpdates, recipeSuites } from '../../src/release/product-updates.ts';
import type { ReleaseChangelog } from '../../src/release/release-changelog.ts';
import { startRespinScheduler } from '../../src/release/respin-scheduler.ts';
import { getReleaseChangelog } from '../../src/store/release-changelogs.ts';
import { listReleases } from '../../src/store/releases.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { makeDeb, makeSigningKey, serveDir, type SigningKey, writeArchive } from '../helpers/apt-archive.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

/**
 * Issue #11's test, end to end: a signed archive on 127.0.0.1 moved forward in time (an update, then a
 * security update, then one that lands while a respin builds), `herd serve`'s scheduler and worker, and a build
 * faked at the engine's seam that installs exactly what apt would: the newest version of each package the
 * archive offers, with the lock (pool path, size, sha256) the real engine writes. What is checked: the right
 * respins happen and no others, the changelog each release is published with is exact (CVE ids from the new
 * .debs' own changelogs), a respun image has no pending security update, and one that does is not promoted.
 */
const entry = (source: string, version: string, dist: string, text: string) =>
  `${source} (${version}) ${dist}; urgency=high\n\n  * ${text}\n\n -- Debian Security Team <team@security.debian.org>  Tue, 01 Dec 2026 10:00:00 +0000\n`;
const PACKAGES = ['curl', 'hello', 'openssl'];

describe('respins against an archive that moves forward', () => {
  let dir: string;
  let key: SigningKey;
  let main: Awaited<ReturnType<typeof serveDir>>;
  let security: Awaited<ReturnType<typeof serveDir>>;
  let env: Awaited<ReturnType<typeof makeServices>>;
  let worker: Worker;
  /** Run inside the next fake build, after it chose its packages (an archive that moves while a respin builds). */
  let duringBuild: (() => void) | undefined;
  const debs = new Map<string, string>();
  const deb = (name: string, version: string, changelog?: string) => {
    const k = `${name}=${version}`;
    if (!debs.has(k)) debs.set(k, makeDeb(join(dir, 'debs'), name, version, changelog));
    return debs.get(k)!;
  };
  const mainSuite: string[] = [];
  const securitySuite: string[] = [];
  const publishArchive = (date: string) => {
    writeArchive(join(dir, 'main'), 'trixie', mainSuite, key, new Date(date));
    writeArchive(join(dir, 'security'), 'trixie-security', securitySuite, key, new Date(date));
  };
  const tick = async () => {
    const s = startRespinScheduler(env.svc, { firstTickMs: 3_600_000, log: () => {} });
    try {
      return await s.tick();
    } finally {
      await s.stop();
    }
  };
  const releases = async () => listReleases(env.svc.store.db, { productId: 'web', state: 'published' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-respin-log-'));
    mkdirSync(join(dir, 'debs'));
    key = makeSigningKey(dir);
    mainSuite.push(deb('curl', '8.14.1-2'), deb('hello', '2.10-3', entry('hello', '2.10-3', 'trixie', 'Old.')),
      deb('openssl', '3.5.1-1', entry('openssl', '3.5.1-1', 'unstable', 'New upstream release; fixes CVE-2025-0001.')));
    publishArchive('2026-11-01T00:00:00Z');
    main = await serveDir(join(dir, 'main'));
    security = await serveDir(join(dir, 'security'));
    env = await makeServices('herd-respin-log-svc-');
    process.env.HERD_CACHE = join(dir, 'cache');
    const recipes = join(env.dir, 'recipes');
    mkdirSync(recipes);
    env.svc.recipesDir = recipes;
    // the policy's defaults: monthly on the first Tuesday, security at once, promoted after QA
    writeFileSync(join(recipes, 'web.yaml'), [`extends: ${join(DEFAULT_RECIPES_DIR, 'base.yaml')}`, 'name: web', 'archive:', `  keyring: ${key.keyring}`, '  sources:',
      `    - uri: ${main.url}`, '      suites: [trixie]', `    - uri: ${security.url}`, '      suites: [trixie-security]', ''].join('\n'));
    worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, {
      buildsDir: join(env.dir, 'data', 'builds'),
      // what apt would install from the archive as it is now: the newest version of each package, and the lock
      buildAndTest: async (_recipePath, outDir) => {
        const offered = (await recipeSuites(env.svc, 'web')).flatMap((s) => s.packages.map((p) => ({ ...p, uri: s.uri })));
        const chosen = PACKAGES.map((name) => offered.filter((p) => p.name === name).sort((a, b) => compareDebVersions(b.version, a.version))[0]!);
        duringBuild?.();
        duringBuild = undefined;
        writeBuildOutput(outDir, {
          name: 'web', seed: outDir, packages: chosen.map((p) => ({ name: p.name, version: p.version, arch: p.architecture, source: p.source })),
          resolved: {
            schemaVersion: 2, codename: 'trixie', archive: { sources: [{ uri: main.url, suites: ['trixie'], components: ['main'] }, { uri: security.url, suites: ['trixie-security'], components: ['main'] }], keyring: key.keyring },
            suites: [{ uri: main.url, suite: 'trixie', date: 'x', epoch: 1, inReleaseSha256: '0'.repeat(64) }], sourceDateEpoch: 1, imageVersion: '2026.12.02.0',
            packages: chosen.map((p) => ({ name: p.name, version: p.version, architecture: p.architecture, filename: p.filename!, size: p.size!, sha256: p.sha256! })),
          },
        });
        return { budget: [] };
      },
    }) });
    // the first release: built from the archive as it is, by hand
    await env.svc.queue.enqueue('build', { v: 2, recipe: 'web', product: 'web', channel: 'testing', qa: 'full', publish: true });
    while (await worker.runOnce());
  });
  after(async () => {
    delete process.env.HERD_CACHE;
    await env?.cleanup();
    await main?.close();
    await security?.close();
    key?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('nothing changed: nothing respun', async () => {
    assert.equal((await releases()).length, 1);
    const report = await tick();
    assert.deepEqual([report.respun, report.failed], [[], []]);
  });

  test('an ordinary update waits for the monthly respin', async () => {
    mainSuite.splice(1, 1, deb('hello', '2.10-4', [entry('hello', '2.10-4', 'trixie', 'Translation fixes.'), entry('hello', '2.10-3', 'trixie', 'Old.')].join('\n')));
    publishArchive('2026-12-02T00:00:00Z');
    assert.deepEqual((await tick()).respun, []);
    const u = await productUpdates(env.svc, 'web');
    assert.deepEqual(u.updates.map((x) => [x.name, x.candidate, x.security]), [['hello', '2.10-4', false]]);
  });

  test('a security update: respun at once, published with the exact changelog, fresh, promoted to stable; then nothing more', async () => {
    securitySuite.push(deb('openssl', '3.5.1-1+deb13u1', [
      entry('openssl', '3.5.1-1+deb13u1', 'trixie-security', 'Fix CVE-2026-1111 (X.509 overread) and CVE-2026-2222.'),
      entry('openssl', '3.5.1-1', 'unstable', 'New upstream release; fixes CVE-2025-0001.'),
    ].join('\n')));
    publishArchive('2026-12-02T06:00:00Z');
    const report = await tick();
    assert.deepEqual(report.respun.map((r) => [r.product, (r.job.payload as { respin: { reason: string } }).respin.reason]), [['web', 'security']]);
    while (await worker.runOnce());
    const [respun, first] = await releases();
    assert.deepEqual([respun!.channel, first!.channel], ['stable', 'testing'], 'QA passed and fresh: promoted');
    const log = await getReleaseChangelog(env.svc.store.db, respun!.id) as ReleaseChangelog;
    assert.deepEqual(log.summary, { against: { id: first!.id, version: first!.version }, added: 0, removed: 0, upgraded: 2, downgraded: 0, security: 1, cves: ['CVE-2026-1111', 'CVE-2026-2222'] });
    assert.deepEqual(log.upgraded.map((u) => [u.name, u.from, u.to, u.security, u.cves, u.entries.map((e) => `${e.version} ${e.distribution}`)]), [
      ['hello', '2.10-3', '2.10-4', false, [], ['2.10-4 trixie']],
      ['openssl', '3.5.1-1', '3.5.1-1+deb13u1', true, ['CVE-2026-1111', 'CVE-2026-2222'], ['3.5.1-1+deb13u1 trixie-security']],
    ]);
    const job = await env.svc.queue.get(report.respun[0]!.job.id);
    assert.deepEqual((job!.result as { fresh: { fresh: boolean; pendingSecurity: unknown[] } }).fresh.pendingSecurity, []);
    // a fresh instance of it has nothing pending, security or not
    assert.deepEqual((await productUpdates(env.svc, 'web')).updates, []);
    assert.deepEqual((await tick()).respun, [], 'respun: nothing to do');
  });

  test('a security update that lands while the respin builds: published, left in testing, and respun again on the next pass', async () => {
    securitySuite.push(deb('curl', '8.14.1-2+deb13u1', entry('curl', '8.14.1-2+deb13u1', 'trixie-security', 'Fix CVE-2026-3333.')));
    publishArchive('2026-12-02T08:00:00Z');
    duringBuild = () => {
      securitySuite.push(deb('openssl', '3.5.1-1+deb13u2', [entry('openssl', '3.5.1-1+deb13u2', 'trixie-security', 'Fix CVE-2026-4444.'),
        entry('openssl', '3.5.1-1+deb13u1', 'trixie-security', 'Fix CVE-2026-1111.')].join('\n')));
      publishArchive('2026-12-02T09:00:00Z');
    };
    const report = await tick();
    assert.equal(report.respun.length, 1);
    while (await worker.runOnce());
    const [late, stable] = await releases();
    assert.deepEqual([late!.channel, stable!.channel], ['testing', 'stable'], 'not fresh: not promoted over the stable one');
    const result = (await env.svc.queue.get(report.respun[0]!.job.id))!.result as { fresh: { fresh: boolean; pendingSecurity: Array<{ name: string; candidate: string }> }; promoteError: string };
    assert.equal(result.fresh.fresh, false);
    assert.deepEqual(result.fresh.pendingSecurity.map((u) => [u.name, u.candidate]), [['openssl', '3.5.1-1+deb13u2']]);
    assert.match(result.promoteError, /came out while it built/);
    assert.deepEqual(((await getReleaseChangelog(env.svc.store.db, late!.id)) as ReleaseChangelog).summary.cves, ['CVE-2026-3333']);
    const again = await tick();
    assert.deepEqual(again.respun.map((r) => r.product), ['web'], 'the pending security update respins it again');
    while (await worker.runOnce());
    const [fixed] = await releases();
    assert.equal(fixed!.channel, 'stable');
    assert.deepEqual(((await getReleaseChangelog(env.svc.store.db, fixed!.id)) as ReleaseChangelog).summary.cves, ['CVE-2026-4444']);
  });
});
