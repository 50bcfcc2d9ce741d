import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import { pendingUpdates, type InstalledRef } from '../../src/release/pending-updates.ts';
import { productUpdates } from '../../src/release/product-updates.ts';
import { respinProduct } from '../../src/release/respin.ts';
import { createPendingRelease, markReleasePublished, revokeRelease } from '../../src/store/releases.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { makeServices } from './fixtures/services.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { createApp } from '../../src/api/app.ts';
import { readSuitePackages } from '../../src/resolve/suite-index.ts';
import { clearsign, makeDeb, makeSigningKey, serveDir, type SigningKey, writeArchive } from '../helpers/apt-archive.ts';

/**
 * Pending updates against real archives: packages made with dpkg-deb, indexed by dpkg-scanpackages,
 * signed with gpg and checked with gpgv, served on 127.0.0.1, then moved forward in time (issue #11).
 */
/** A .deb that is not the one the index names (another curl, carrying a changelog that claims a CVE). */
function makeDebBytes(): Buffer {
  const d = mkdtempSync(join(tmpdir(), 'herd-updates-fake-'));
  try {
    return readFileSync(makeDeb(d, 'curl', '7.88.1-10+deb12u14', 'curl (7.88.1-10+deb12u14) x; urgency=low\n\n  * CVE-2099-0001\n\n -- T <t@x>  Sat, 21 Nov 2026 10:00:00 +0000\n'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

describe('pending updates of a release against the archive as it is now', () => {
  let dir: string;
  let key: SigningKey;
  let stranger: SigningKey;
  let main: Awaited<ReturnType<typeof serveDir>>;
  let security: Awaited<ReturnType<typeof serveDir>>;
  const debs: Record<string, string> = {};
  // the curl security fix carries its changelog, as Debian's packages do; the entries before the installed version must not count
  const CURL_CHANGELOG = [
    ['7.88.1-10+deb12u14', 'bookworm-security', 'CVE-2026-1111 and CVE-2026-2222'], ['7.88.1-10+deb12u13', 'bookworm-security', 'CVE-2026-0001 (again CVE-2026-1111)'],
    ['7.88.1-10+deb12u12', 'bookworm', 'CVE-2025-9999, already in the image'],
  ].map(([v, d, t]) => `curl (${v}) ${d}; urgency=medium\n\n  * Fix ${t}.\n\n -- T <t@herd.invalid>  Sat, 21 Nov 2026 10:00:00 +0000\n`).join('\n');
  const deb = (name: string, version: string) => (debs[`${name}=${version}`] ??= makeDeb(dir, name, version, name === 'curl' && version === '7.88.1-10+deb12u14' ? CURL_CHANGELOG : undefined));
  // what the release's manifest says the image holds (libc6 as an amd64 package: the index offers it as all)
  const installed: InstalledRef[] = [
    { name: 'systemd', version: '252.38-1~deb12u1', arch: 'all' }, { name: 'curl', version: '7.88.1-10+deb12u12', arch: 'all' },
    { name: 'libc6', version: '2.36-9+deb12u9', arch: 'amd64' }, { name: 'hello', version: '2.10-3', arch: 'all' },
    { name: 'only-in-the-image', version: '1.0', arch: 'all' },
  ];
  const read = (base: { url: string }, suite: string, keyring = key.keyring) =>
    readSuitePackages({ uri: base.url, suite, components: ['main'], architecture: 'amd64', keyring });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-updates-'));
    key = makeSigningKey(dir);
    stranger = makeSigningKey(dir, 'Someone Else');
    writeArchive(join(dir, 'main'), 'bookworm', [deb('systemd', '252.38-1~deb12u1'), deb('curl', '7.88.1-10+deb12u12'), deb('libc6', '2.36-9+deb12u9'), deb('hello', '2.10-3')], key, new Date('2026-11-01T00:00:00Z'));
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('curl', '7.88.1-10+deb12u12')], key, new Date('2026-11-01T00:00:00Z'));
    main = await serveDir(join(dir, 'main'));
    security = await serveDir(join(dir, 'security'));
  });
  after(async () => {
    await main?.close();
    await security?.close();
    key?.close();
    stranger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('nothing pending while the archive holds what the image holds', async () => {
    const suites = [await read(main, 'bookworm'), await read(security, 'bookworm-security')];
    assert.deepEqual(pendingUpdates(installed, suites), []);
    assert.equal(suites[0]!.date, 'Sun, 01 Nov 2026 00:00:00 UTC');
  });

  test('the archive moves forward: an update, two security fixes, first-boot packages marked', async () => {
    writeArchive(join(dir, 'main'), 'bookworm', [deb('systemd', '252.39-1~deb12u1'), deb('curl', '7.88.1-10+deb12u12'), deb('libc6', '2.36-9+deb12u9'), deb('hello', '2.10-3')], key, new Date('2026-11-20T00:00:00Z'));
    // the security suite carries an older curl fix too: the newest version wins
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('curl', '7.88.1-10+deb12u13'), deb('curl', '7.88.1-10+deb12u14'), deb('libc6', '2.36-9+deb12u10')], key, new Date('2026-11-21T00:00:00Z'));
    const pending = pendingUpdates(installed, [await read(main, 'bookworm'), await read(security, 'bookworm-security')]);
    assert.deepEqual(pending.map((p) => [p.name, p.installed, p.candidate, p.from.suite, p.security, p.firstBoot]), [
      ['curl', '7.88.1-10+deb12u12', '7.88.1-10+deb12u14', 'bookworm-security', true, false],
      ['libc6', '2.36-9+deb12u9', '2.36-9+deb12u10', 'bookworm-security', true, true],
      ['systemd', '252.38-1~deb12u1', '252.39-1~deb12u1', 'bookworm', false, true],
    ]);
  });

  test('an index changed after signing is refused, and so is an InRelease signed by a key the keyring lacks', async () => {
    const packages = join(dir, 'main/dists/bookworm/main/binary-amd64/Packages');
    const good = readFileSync(packages, 'utf8');
    writeFileSync(packages, good.replace('Version: 252.39-1~deb12u1', 'Version: 252.99-1~deb12u1'));
    await assert.rejects(read(main, 'bookworm'), (e: Error & { code?: string }) => e.code === 'archive.index_mismatch' && /mid-sync|signs/.test(e.message + (e as { hint?: string }).hint));
    writeFileSync(packages, good);
    await assert.rejects(read(main, 'bookworm', stranger.keyring), (e: Error & { code?: string }) => /^archive\./.test(e.code ?? ''), 'a signature by a key the keyring lacks');
  });

  test('for a product: its newest unrevoked release against the archive its recipe builds from', async () => {
    const env = await makeServices('herd-updates-svc-');
    try {
      const recipes = join(env.dir, 'recipes');
      mkdirSync(recipes);
      env.svc.recipesDir = recipes;
      writeFileSync(join(recipes, 'web.yaml'), [`extends: ${join(DEFAULT_RECIPES_DIR, 'base.yaml')}`, 'name: web', 'archive:', `  keyring: ${key.keyring}`, '  sources:',
        `    - uri: ${main.url}`, '      suites: [bookworm]', `    - uri: ${security.url}`, '      suites: [bookworm-security]', ''].join('\n'));
      await assert.rejects(productUpdates(env.svc, 'web'), (e: Error & { code?: string }) => e.code === 'updates.no_release');
      await ensureProduct(env.svc.store.db, 'web');
      const publish = async (version: string, packages: InstalledRef[]) => {
        const r = await createPendingRelease(env.svc.store.db, { productId: 'web', version, channel: 'testing', recipeDigest: 'sha256:x', packages });
        await markReleasePublished(env.svc.store.db, r.id);
        return r;
      };
      await publish('2026.11.01.0', installed);
      const newer = await publish('2026.11.22.0', installed.map((p) => (p.name === 'curl' ? { ...p, version: '7.88.1-10+deb12u14' } : p)));
      let r = await productUpdates(env.svc, 'web');
      assert.equal(r.release.version, '2026.11.22.0', 'the newest release');
      assert.deepEqual(r.updates.map((u) => u.name), ['libc6', 'systemd'], 'curl is current in it');
      assert.deepEqual(r.summary, { total: 2, security: 1, firstBoot: 2 });
      assert.deepEqual(r.suites.map((s) => s.suite), ['bookworm', 'bookworm-security']);
      // the API: a viewer's read, shared for ten minutes (no client makes the server fetch indexes in a loop)
      const app = createApp(env.svc, { dataDir: env.dir });
      const viewer = await tokenFor(env.svc, 'viewer');
      assert.equal((await app.request('/api/products/web/updates')).status, 401);
      assert.equal((await app.request('/api/products/nope/updates', { headers: bearer(viewer) })).status, 404);
      const res = await app.request('/api/products/web/updates', { headers: bearer(viewer) });
      assert.equal(res.status, 200);
      const answer = await res.json() as { checkedAt: string } & typeof r;
      assert.deepEqual({ ...answer, checkedAt: undefined }, { ...r, checkedAt: undefined });
      const again = await (await app.request('/api/products/web/updates', { headers: bearer(viewer) })).json() as { checkedAt: string };
      assert.equal(again.checkedAt, answer.checkedAt, 'the second read is the cached answer');
      // with changelogs: what each update fixes, from the new .deb's own changelog (checked against the signed index first)
      const withChanges = await productUpdates(env.svc, 'web', { changelogs: true });
      assert.deepEqual(withChanges.updates.map((u) => [u.name, u.changes?.cves, u.changes?.missing]), [
        ['libc6', [], 'the package carries no changelog of its own'], ['systemd', [], 'the package carries no changelog of its own'],
      ]);
      // the respin policy (defaults: security at once): due for libc6; one build job, never two
      const dry = await respinProduct(env.svc, 'web', { dryRun: true });
      assert.deepEqual([dry.decision.due, dry.decision.reason, dry.decision.updates.map((u) => u.name), dry.job], [true, 'security', ['libc6'], undefined]);
      const first = await respinProduct(env.svc, 'web');
      assert.deepEqual(first.job?.payload, { v: 2, recipe: 'web', product: 'web', channel: 'testing', qa: 'full', publish: true, promote: 'stable', respin: { reason: 'security', why: '1 security update pending (libc6)' } });
      const second = await respinProduct(env.svc, 'web');
      assert.deepEqual([second.job, second.inFlight?.id], [undefined, first.job!.id], 'a respin already queued is not queued again');
      await env.svc.queue.cancel(first.job!.id);
      await revokeRelease(env.svc.store.db, newer.id, 'bad');
      r = await productUpdates(env.svc, 'web');
      assert.equal(r.release.version, '2026.11.01.0', 'a revoked release is never the base of a comparison');
      assert.deepEqual(r.updates.map((u) => u.name), ['curl', 'libc6', 'systemd']);
      const curl = (await productUpdates(env.svc, 'web', { changelogs: true })).updates[0]!;
      assert.deepEqual([curl.name, curl.changes?.cves, curl.changes?.entries.map((e) => e.version)],
        ['curl', ['CVE-2026-1111', 'CVE-2026-2222', 'CVE-2026-0001'], ['7.88.1-10+deb12u14', '7.88.1-10+deb12u13']]);
      // a mirror serving another file under the signed name: not read
      const served = join(dir, 'security', curl.from.filename!);
      const real = readFileSync(served);
      writeFileSync(served, makeDebBytes());
      const tampered = (await productUpdates(env.svc, 'web', { changelogs: true })).updates[0]!;
      assert.match(tampered.changes?.missing ?? '', /not the file the signed index names/);
      assert.deepEqual(tampered.changes?.cves, []);
      writeFileSync(served, real);
      // a release that holds what the archive offers: nothing pending, no respin, even long after the schedule's slot
      await publish('2026.11.30.0', installed.map((p) => ({ ...p, version: { curl: '7.88.1-10+deb12u14', libc6: '2.36-9+deb12u10', systemd: '252.39-1~deb12u1' }[p.name] ?? p.version })));
      const current = await respinProduct(env.svc, 'web', { now: new Date('2027-03-01T00:00:00Z') });
      assert.deepEqual([current.decision.due, current.job, current.updates.updates], [false, undefined, []]);
    } finally {
      await env.cleanup();
    }
  });

  test('compressed indexes (xz preferred, gz) as Debian serves them; a component the suite lacks is an error', async () => {
    const suiteDir = join(dir, 'main/dists/bookworm');
    const plain = readFileSync(join(suiteDir, 'main/binary-amd64/Packages'));
    const xz = execFileSync('xz', ['-c'], { input: plain });
    const gz = gzipSync(plain);
    writeFileSync(join(suiteDir, 'main/binary-amd64/Packages.xz'), xz);
    writeFileSync(join(suiteDir, 'main/binary-amd64/Packages.gz'), gz);
    const line = (b: Buffer, path: string) => ` ${createHash('sha256').update(b).digest('hex')} ${b.length} ${path}`;
    const release = (entries: string[]) => ['Origin: Herd tests', 'Suite: bookworm', 'Codename: bookworm', 'Date: Mon, 30 Nov 2026 00:00:00 UTC',
      'Architectures: amd64 all', 'Components: main', 'SHA256:', ...entries, ''].join('\n');
    for (const entries of [[line(gz, 'main/binary-amd64/Packages.gz'), line(xz, 'main/binary-amd64/Packages.xz')], [line(gz, 'main/binary-amd64/Packages.gz')]]) {
      writeFileSync(join(suiteDir, 'InRelease'), clearsign(key, release(entries)));
      const s = await read(main, 'bookworm');
      const systemd = s.packages.find((p) => p.name === 'systemd');
      assert.deepEqual({ ...systemd, size: undefined, sha256: undefined }, { name: 'systemd', version: '252.39-1~deb12u1', architecture: 'all', source: 'systemd', filename: 'pool/main/systemd_252.39-1~deb12u1_all.deb', size: undefined, sha256: undefined });
      assert.match(systemd!.sha256 ?? '', /^[0-9a-f]{64}$/);
    }
    await assert.rejects(readSuitePackages({ uri: main.url, suite: 'bookworm', components: ['contrib'], architecture: 'amd64', keyring: key.keyring }),
      (e: Error & { code?: string }) => e.code === 'archive.index_missing' && e.message.includes('contrib/binary-amd64'));
  });
});
