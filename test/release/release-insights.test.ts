import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import type { SizeReport } from '../../src/engine/size-report.ts';
import type { BootFigures } from '../../src/qa/types.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { securityFixes } from '../../src/release/security-fixes.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { createPendingRelease, markReleasePublished, type PackageRef, type Release } from '../../src/store/releases.ts';
import { testDatabases } from '../../src/store/test-databases.ts';
import { servicesOn } from '../security/fixtures.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const count = (bytes: number, files: number) => ({ bytes, files });

const REPORT: SizeReport = {
  reportVersion: 1,
  total: count(412_000_000, 21_000),
  byDirectory: [{ path: '/usr', ...count(380_000_000, 19_000) }, { path: '/boot', ...count(30_000_000, 6) }],
  byPackage: [{ name: 'linux-image-cloud-amd64', installedSizeKiB: 60_000, ...count(61_000_000, 3_000) }, { name: 'bash', ...count(7_000_000, 100) }],
  unpackaged: count(12_000_000, 40),
  totals: { docs: count(0, 0), locales: count(0, 0), man: count(0, 0), info: count(0, 0), kernelModules: count(40_000_000, 2_500), pythonBytecode: count(1_000, 2) },
};

/** Adds size-report.json to a build folder and binds it in manifest.json, as `herd build` does. */
function addSizeReport(dir: string, text = `${JSON.stringify(REPORT, null, 2)}\n`, bound = sha(text)): void {
  writeFileSync(join(dir, 'size-report.json'), text);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, sizeReport: { file: 'size-report.json', sha256: bound } }, null, 2));
}

/** Gives the folder's QA report these boots (and rebinds its digest in the manifest, as the QA gate does). */
function setBoots(dir: string, boots: Array<Partial<BootFigures>>): void {
  const report = JSON.parse(readFileSync(join(dir, 'qa', 'report.json'), 'utf8'));
  const text = `${JSON.stringify({ ...report, boots }, null, 2)}\n`;
  writeFileSync(join(dir, 'qa', 'report.json'), text);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, qa: { ...manifest.qa, reportSha256: sha(text) } }, null, 2));
}

const boot = (firmware: 'bios' | 'uefi', accel: 'kvm' | 'tcg', secondsToSsh: number): Partial<BootFigures> =>
  ({ firmware, accel, accelSource: 'probe', secondsToSsh, secondsToCloudInitDone: secondsToSsh + 5, serialLog: `/o/serial-${firmware}.log` });

for (const target of testDatabases) {
  describe(`release insights on ${target.name}`, { skip: target.skip }, () => {
    let env: Awaited<ReturnType<typeof servicesOn>>;
    let app: ReturnType<typeof createApp>;
    let first: Release;
    let untested: Release;
    let revoked: Release;
    before(async () => {
      env = await servicesOn(target);
      app = createApp(env.svc, { checkResponses: true, documentTtlMs: 0 });
      const out = (n: number) => join(env.dir, `out-${n}`);
      writeBuildOutput(out(1), { version: '2026.11.20.0', seed: 'one' });
      addSizeReport(out(1));
      setBoots(out(1), [boot('bios', 'tcg', 63.2), boot('uefi', 'kvm', 11.5)]);
      first = await publishRelease(env.svc, out(1));
      writeBuildOutput(out(2), { version: '2026.11.21.0', seed: 'two', tested: false, formats: ['qcow2'] });
      untested = await publishRelease(env.svc, out(2), { allowUntested: true });
      writeBuildOutput(out(3), { version: '2026.11.22.0', seed: 'three' });
      addSizeReport(out(3), `${JSON.stringify({ ...REPORT, total: count(398_000_000, 20_500) })}\n`);
      revoked = await publishRelease(env.svc, out(3));
      const admin = await tokenFor(env.svc, 'admin');
      const res = await app.request(`/api/releases/${revoked.id}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify({ reason: 'CVE-2026-0001 in bash' }) });
      assert.equal(res.status, 200, await res.text());
      // neither a pending release nor another product's release belongs in the history
      await createPendingRelease(env.svc.store.db, { productId: 'base', version: '2026.11.23.0', channel: 'testing', recipeDigest: 'sha256:p', packages: [] });
      await ensureProduct(env.svc.store.db, 'other');
      await markReleasePublished(env.svc.store.db, (await createPendingRelease(env.svc.store.db, { productId: 'other', version: '2026.11.19.0', channel: 'testing', recipeDigest: 'sha256:o', packages: [] })).id);
    });
    after(async () => { await env.cleanup(); });

    test('a release keeps its build\'s size report and serves it as it was built', async () => {
      const res = await app.request(`/api/releases/${first.id}/size-report`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), REPORT);
      const row = await env.svc.store.db.selectFrom('releases').select('size_report').where('id', '=', first.id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.size_report!), REPORT);
    });

    test('a release built without a size report answers 404 release.no_size_report with a hint; unknown and bad ids too', async () => {
      const none = await app.request(`/api/releases/${untested.id}/size-report`);
      assert.equal(none.status, 404);
      const body = await none.json();
      assert.equal(body.code, 'release.no_size_report');
      assert.match(body.hint, /size-report\.json/);
      const unknown = await app.request('/api/releases/6f1c1b8e-1d5e-4c1a-9f5e-2b7c8d9e0a1b/size-report');
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).code, 'release.not_found');
      const bad = await app.request('/api/releases/..%2f..%2fetc/size-report');
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).code, 'api.invalid_input');
    });

    test('publish refuses a size report that is not the one the manifest binds, unreadable, or missing', async () => {
      const cases: Array<[string, (dir: string) => void, string]> = [
        ['swapped', (d) => { addSizeReport(d); writeFileSync(join(d, 'size-report.json'), JSON.stringify({ ...REPORT, total: count(1, 1) })); }, 'publish.size_report_mismatch'],
        ['not a report', (d) => addSizeReport(d, JSON.stringify({ reportVersion: 2, total: 'big' })), 'publish.size_report_invalid'],
        ['missing', (d) => { addSizeReport(d); rmSync(join(d, 'size-report.json')); }, 'publish.size_report_missing'],
      ];
      for (const [name, spoil, code] of cases) {
        const dir = join(env.dir, `spoilt-${name.replace(/ /g, '-')}`);
        writeBuildOutput(dir, { version: '2026.12.01.0', seed: name });
        spoil(dir);
        await assert.rejects(publishRelease(env.svc, dir), (e: { code?: string }) => e.code === code, name);
      }
      const versions = (await env.svc.store.db.selectFrom('releases').select('version').where('product_id', '=', 'base').execute()).map((r) => r.version);
      assert.ok(!versions.includes('2026.12.01.0'), 'a refused build leaves no release behind');
    });

    test('a product\'s history: published releases oldest first, with image sizes, tree size, boot time and QA verdict', async () => {
      const res = await app.request('/api/products/base/history');
      assert.equal(res.status, 200);
      const { product, releases } = await res.json();
      assert.equal(product, 'base');
      assert.deepEqual(releases.map((r: { version: string }) => r.version), ['2026.11.20.0', '2026.11.21.0', '2026.11.22.0']);
      const [one, two, three] = releases;
      assert.deepEqual(one, {
        id: first.id, version: '2026.11.20.0', channel: 'testing', state: 'published', publishedAt: one.publishedAt,
        revokedAt: null, revokeReason: null, untested: false,
        imageBytes: { qcow2: 64 * 1024, 'raw.xz': 64 * 1024 + 1 },
        treeBytes: REPORT.total.bytes, bootSeconds: 11.5, qaPassed: true,
      });
      assert.ok(!Number.isNaN(Date.parse(one.publishedAt)));
      assert.deepEqual({ untested: two.untested, imageBytes: two.imageBytes, treeBytes: two.treeBytes, bootSeconds: two.bootSeconds, qaPassed: two.qaPassed },
        { untested: true, imageBytes: { qcow2: 64 * 1024 }, treeBytes: null, bootSeconds: null, qaPassed: null });
      assert.equal(three.id, revoked.id);
      assert.equal(three.revokeReason, 'CVE-2026-0001 in bash');
      assert.ok(three.revokedAt);
      assert.equal(three.treeBytes, 398_000_000);
      assert.equal(three.bootSeconds, null, 'a QA report without boots has no boot time');
      assert.equal(three.qaPassed, true);
    });

    test('the history of an unknown or malformed product is a JSON error', async () => {
      const unknown = await app.request('/api/products/nope/history');
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).code, 'product.not_found');
      const bad = await app.request('/api/products/Not%20Valid/history');
      assert.equal(bad.status, 400);
    });

    test('the diff lists upgrades to a new Debian stable-update revision as security fixes', async () => {
      const stored = async (version: string, packages: PackageRef[]) => {
        const r = await createPendingRelease(env.svc.store.db, { productId: 'other', version, channel: 'testing', recipeDigest: 'sha256:d', packages });
        await markReleasePublished(env.svc.store.db, r.id);
        return r;
      };
      const p = (name: string, version: string): PackageRef => ({ name, version, arch: 'amd64' });
      const from = await stored('2026.11.24.0', [p('bash', '5.2.37-2+b7'), p('libc6', '2.41-12+deb13u1'), p('curl', '8.14.1-2'), p('openssl', '3.5.1-1~deb13u1'), p('tzdata', '2025b-4')]);
      const to = await stored('2026.11.25.0', [p('bash', '5.2.37-2+b8'), p('libc6', '2.41-12+deb13u2'), p('curl', '8.14.1-2+deb13u1'), p('openssl', '3.5.4-1~deb13u1'), p('tzdata', '2025c-0+deb13u1'), p('jq', '1.7.1-6+deb13u1')]);
      const res = await app.request(`/api/releases/${to.id}/diff?from=${from.id}`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(body.securityFixes, [
        { name: 'curl', arch: 'amd64', from: '8.14.1-2', to: '8.14.1-2+deb13u1', update: 'deb13u1' },
        { name: 'libc6', arch: 'amd64', from: '2.41-12+deb13u1', to: '2.41-12+deb13u2', update: 'deb13u2' },
        { name: 'tzdata', arch: 'amd64', from: '2025b-4', to: '2025c-0+deb13u1', update: 'deb13u1' },
      ], 'a binNMU (+b8), a new upstream under the same update number and a newly added package are not fixes');
      assert.equal(body.packages.changed.length, 5);
    });
  });
}

test('securityFixes reads deb12 revisions too and never the old update number again', () => {
  const diff = { added: [], removed: [], changed: [
    { name: 'openssh-server', arch: 'amd64', from: '1:9.2p1-2+deb12u3', to: '1:9.2p1-2+deb12u5' },
    { name: 'systemd', arch: 'amd64', from: '252.30-1~deb12u2', to: '252.33-1~deb12u2' },
    { name: 'vim', arch: 'amd64', from: '2:9.0.1378-2+deb12u1', to: '2:9.0.1378-2' },
  ] };
  assert.deepEqual(securityFixes(diff).map((f) => `${f.name} ${f.update}`), ['openssh-server deb12u5']);
});
