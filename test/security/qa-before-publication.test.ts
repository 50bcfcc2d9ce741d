import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { getDocument } from '../../src/store/documents.ts';
import { getQaReport, listReleases } from '../../src/store/releases.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { bearer, tokenFor } from '../release/fixtures/auth.ts';

const json = (token: string, body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(body) });
const edit = (dir: string, f: (m: any) => void) => {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  f(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
};

describe('QA before publication', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  before(async () => { env = await makeServices('herd-qa-gate-'); });
  after(async () => { await env.cleanup(); });

  test('a build with no QA record is refused unless --allow-untested', async () => {
    const out = writeBuildOutput(join(env.dir, 'untested'), { name: 'exp', seed: 'u', tested: false, version: '2026.11.25.0' });
    await assert.rejects(publishRelease(env.svc, out), (e: any) => e.code === 'publish.untested' && /--allow-untested/.test(e.hint));
    assert.deepEqual(await listReleases(env.svc.store.db, { productId: 'exp' }), []);
    const r = await publishRelease(env.svc, out, { allowUntested: true });
    assert.equal(r.untested, true);
  });

  test('an untested release is marked in every feed and can never be promoted to stable', async () => {
    const [r] = await listReleases(env.svc.store.db, { productId: 'exp' });
    const doc = async (path: string) => JSON.parse((await getDocument(env.svc.store.db, path))!.body);
    assert.equal((await doc('feeds/testing.json')).products.exp.untested, true);
    assert.equal((await doc('releases/testing.json')).releases.find((x: any) => x.product === 'exp').untested, true);
    const ss = await doc('streams/v1/org.herd.cloud:testing:download.json');
    assert.equal(ss.products['org.herd.cloud:exp:x86_64'].versions['2026.11.25.0'].untested, true);
    assert.equal((await doc('coreos/exp/streams/testing.json')).untested, true);
    const app = createApp(env.svc, { documentTtlMs: 0 });
    const tok = await tokenFor(env.svc);
    const res = await app.request(`/api/releases/${r!.id}/promote`, json(tok, { to: 'stable' }));
    assert.equal(res.status, 409);
    assert.equal((await res.json()).code, 'release.untested');
    assert.equal((await doc('feeds/stable.json')).products.exp, undefined);
  });

  test('a tested release carries its QA report, is not marked, and may be promoted', async () => {
    const out = writeBuildOutput(join(env.dir, 'tested'), { name: 'good', seed: 't' });
    const r = await publishRelease(env.svc, out);
    assert.equal(r.untested, false);
    assert.equal(await getQaReport(env.svc.store.db, r.id), readFileSync(join(out, 'qa', 'report.json'), 'utf8'));
    const feed = JSON.parse((await getDocument(env.svc.store.db, 'feeds/testing.json'))!.body);
    assert.equal(feed.products.good.untested, undefined);
    const app = createApp(env.svc, { documentTtlMs: 0 });
    const tok = await tokenFor(env.svc);
    assert.equal((await app.request(`/api/releases/${r.id}/promote`, json(tok, { to: 'stable' }))).status, 200);
  });

  test('a QA record that is not about this image, or whose report was changed, is refused', async () => {
    const cases: Array<[string, (dir: string) => void, string]> = [
      ['report edited', (d) => writeFileSync(join(d, 'qa', 'report.json'), readFileSync(join(d, 'qa', 'report.json'), 'utf8').replace('"passed": true', '"passed": true ')), 'publish.qa_report_mismatch'],
      ['report missing', (d) => writeFileSync(join(d, 'qa', 'report.json'), '', { flag: 'w' }), 'publish.qa_report_mismatch'],
      ['record names another disk', (d) => edit(d, (m) => { m.qa.image.sha256 = 'f'.repeat(64); }), 'publish.qa_other_image'],
      ['record names a file not published', (d) => edit(d, (m) => { m.qa.image.file = 'disk.raw'; }), 'publish.qa_other_image'],
      ['record without a report digest', (d) => edit(d, (m) => { delete m.qa.reportSha256; }), 'publish.bad_manifest'],
      ['qa.passed true over a failed report', (d) => {
        const text = readFileSync(join(d, 'qa', 'report.json'), 'utf8').replace('"passed": true', '"passed": false');
        writeFileSync(join(d, 'qa', 'report.json'), text);
        edit(d, (m) => { m.qa.reportSha256 = createHash('sha256').update(text).digest('hex'); });
      }, 'publish.qa_failed'],
    ];
    for (const [name, tamper, code] of cases) {
      const out = writeBuildOutput(join(env.dir, `tamper-${name.replaceAll(' ', '-')}`), { name: 'tampered', seed: name });
      tamper(out);
      await assert.rejects(publishRelease(env.svc, out), (e: any) => e.code === code || assert.fail(`${name}: ${e.code} ${e.message}`), name);
    }
    assert.deepEqual(await listReleases(env.svc.store.db, { productId: 'tampered' }), []);
  });
});
