import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { summarizeProgress } from '../../src/api/job-progress.ts';
import type { JobEvent } from '../../src/queue/queue.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { succeededBuild } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

/** The builds dashboard's API: a job's progress, a build's output folder, its QA report and serial logs. */
describe('jobs dashboard API', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  let dataDir = '';
  let viewer = '';
  let outside = '';
  const get = async (path: string, token = viewer) => app.request(path, { headers: token ? bearer(token) : {} });
  const body = async (path: string, token = viewer) => {
    const res = await get(path, token);
    assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
    return res.json();
  };
  /** A succeeded build whose QA booted both firmwares and left serial logs, with checks that passed, failed and were skipped. */
  const bootedBuild = async (serial: Record<string, string>) => {
    const id = await succeededBuild(env.svc, dataDir);
    const qa = join(dataDir, 'builds', id, 'qa');
    const report = JSON.parse(readFileSync(join(qa, 'report.json'), 'utf8'));
    report.passed = false;
    report.results = [
      { id: 'A1', title: 'no SSH host keys in the image', phase: 'static', status: 'pass', findings: [], durationMs: 3 },
      { id: 'B2', title: 'cloud-init finished', phase: 'boot:bios', status: 'fail', findings: [{ message: 'status: error', path: '/var/log/cloud-init.log' }], durationMs: 40 },
      { id: 'B9', title: 'secure boot', phase: 'boot:uefi', status: 'skip', findings: [], reason: 'no OVMF', durationMs: 0 },
    ];
    // absolute paths as the build machine wrote them: the API must not follow them
    report.boots = Object.keys(serial).map((firmware) => ({ firmware, accel: 'tcg', accelSource: 'probe', secondsToLoginPrompt: 12.5, serialLog: '/etc/passwd' }));
    writeFileSync(join(qa, 'report.json'), JSON.stringify(report));
    for (const [firmware, text] of Object.entries(serial)) writeFileSync(join(qa, `serial-${firmware}.log`), text);
    return id;
  };

  before(async () => {
    env = await makeServices('herd-dash-');
    dataDir = join(env.dir, 'data');
    app = createApp(env.svc, { dataDir, eventPollMs: 20 });
    viewer = await tokenFor(env.svc, 'viewer');
    outside = mkdtempSync(join(tmpdir(), 'herd-dash-outside-'));
    writeFileSync(join(outside, 'secret.log'), 'SECRET-OUTSIDE-THE-DATA-DIR\n');
  });
  after(async () => {
    await env.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  test('progress follows the latest attempt: phase, steps of the plan, stage running, QA counts, last line', async () => {
    const job = await env.svc.queue.enqueue('build', { v: 2, recipe: 'base' });
    const log = (type: string, data: unknown) => env.svc.queue.log(job.id, type, data);
    await log('progress', { phase: 'load', detail: 'recipes/base.yaml' });
    await log('progress', { phase: 'execute', detail: '9 steps' });
    await log('progress', { step: 's1', stage: 'rootfs', status: 'built' });
    await log('error', { attempt: 1, error: 'network down' });
    await log('progress', { phase: 'load', detail: 'recipes/base.yaml' });
    await log('progress', { phase: 'execute', detail: '4 steps' });
    await log('progress', { step: 's1', stage: 'rootfs', status: 'cached' });
    await log('progress', { step: 's2', stage: 'disk', status: 'running' });
    await log('log', { line: 'writing partition table' });
    let p = await body(`/api/jobs/${job.id}/progress`);
    assert.deepEqual({ ...p, at: undefined }, { phase: 'execute', detail: '4 steps', stepsTotal: 4, stepsDone: 1, stage: 'disk', lastLine: 'writing partition table', qa: { pass: 0, fail: 0, skip: 0, error: 0 }, at: undefined });
    await log('progress', { step: 's2', stage: 'disk', status: 'built', seconds: 2 });
    await log('log', { line: 'QA pass A1 no SSH host keys' });
    await log('log', { line: 'QA fail B2 cloud-init finished' });
    p = await body(`/api/jobs/${job.id}/progress`);
    assert.equal(p.phase, 'qa');
    assert.equal(p.stepsDone, 2);
    assert.deepEqual(p.qa, { pass: 1, fail: 1, skip: 0, error: 0 });
    assert.ok(Date.parse(p.at) > 0);
    await env.svc.queue.cancel(job.id); // the fixtures below claim the one queued build
  });

  test('progress of a job without events, and of one whose events hold other shapes', () => {
    assert.deepEqual(summarizeProgress([]), { stepsDone: 0, qa: { pass: 0, fail: 0, skip: 0, error: 0 } });
    const odd: JobEvent[] = [
      { id: 1, jobId: 'j', at: '2026-01-01T00:00:00.000Z', type: 'progress', data: null },
      { id: 2, jobId: 'j', at: '2026-01-01T00:00:01.000Z', type: 'log', data: 'not an object' },
      { id: 3, jobId: 'j', at: '2026-01-01T00:00:02.000Z', type: 'progress', data: { phase: 'execute', detail: 'many steps' } },
    ];
    assert.deepEqual(summarizeProgress(odd), { stepsDone: 0, qa: { pass: 0, fail: 0, skip: 0, error: 0 }, phase: 'execute', detail: 'many steps', at: '2026-01-01T00:00:02.000Z' });
  });

  test('a succeeded build: its image files, QA verdict, and the release it became once published', async () => {
    const id = await succeededBuild(env.svc, dataDir, { version: '2026.12.01.0' });
    const b = await body(`/api/jobs/${id}/build`);
    assert.equal(b.present, true);
    assert.equal(b.name, 'base');
    assert.deepEqual(b.outputs.map((o: any) => o.file), ['disk.qcow2', 'disk.raw.xz']);
    assert.match(b.outputs[0].sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(b.qa, { passed: true, scope: 'all', testedAt: '2026-11-25T12:00:00.000Z', failed: [] });
    assert.equal(b.hasQaReport, true);
    assert.equal(b.release, null);
    // as a build with publish: true ends: its result names the release
    const release = await publishRelease(env.svc, join(dataDir, 'builds', id));
    const job = await env.svc.queue.enqueue('build', { v: 2, recipe: 'base' });
    await env.svc.queue.claim('w', ['build']);
    await env.svc.queue.finish(job.id, 'w', { releaseId: release.id });
    const published = await body(`/api/jobs/${job.id}/build`);
    assert.deepEqual(published.release, { id: release.id, productId: 'base', version: '2026.12.01.0', channel: 'testing', state: 'published', revoked: false });
    assert.equal(published.present, false);
  });

  test('the QA report: checks with findings, boot figures, and the end of each serial log', async () => {
    const big = `${'early boot line\n'.repeat(20_000)}login: \n`;
    const id = await bootedBuild({ bios: 'SeaBIOS\nDebian GNU/Linux 13 debian ttyS0\n', uefi: big });
    const r = await body(`/api/jobs/${id}/qa`);
    assert.equal(r.passed, false);
    assert.equal(r.image, 'disk.qcow2');
    assert.deepEqual(r.results.map((x: any) => `${x.id}:${x.status}`), ['A1:pass', 'B2:fail', 'B9:skip']);
    assert.deepEqual(r.results[1].findings, [{ message: 'status: error', path: '/var/log/cloud-init.log' }]);
    const [bios, uefi] = r.boots;
    assert.equal(bios.firmware, 'bios');
    assert.equal(bios.secondsToLoginPrompt, 12.5);
    assert.deepEqual(bios.serialLog, { text: 'SeaBIOS\nDebian GNU/Linux 13 debian ttyS0\n', bytes: 41, truncated: false });
    assert.equal(uefi.serialLog.truncated, true);
    assert.equal(uefi.serialLog.bytes, big.length);
    assert.ok(uefi.serialLog.text.length <= 256 * 1024);
    assert.ok(uefi.serialLog.text.startsWith('early boot line\n'), 'a tail starts at a whole line');
    assert.ok(uefi.serialLog.text.endsWith('login: \n'));
    assert.doesNotMatch(JSON.stringify(r), /root:x:0/, 'the report\'s own serialLog paths are never read');
  });

  test('hostile: symlinks out of the build folder read as absent', async () => {
    const id = await bootedBuild({ bios: 'real\n', uefi: 'real\n' });
    const qa = join(dataDir, 'builds', id, 'qa');
    rmSync(join(qa, 'serial-bios.log'));
    symlinkSync(join(outside, 'secret.log'), join(qa, 'serial-bios.log'));
    const r = await body(`/api/jobs/${id}/qa`);
    assert.equal(r.boots[0].serialLog, null);
    assert.equal(r.boots[1].serialLog.text, 'real\n');
    assert.doesNotMatch(JSON.stringify(r), /SECRET/);

    // the qa folder itself, then the whole job folder, pointing elsewhere
    const moved = join(outside, `qa-${id}`);
    renameSync(qa, moved);
    symlinkSync(moved, qa);
    const res = await get(`/api/jobs/${id}/qa`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 'job.no_qa_report');
    const folder = join(dataDir, 'builds', id);
    const elsewhere = join(outside, `build-${id}`);
    rmSync(qa);
    renameSync(moved, qa);
    renameSync(folder, elsewhere);
    symlinkSync(elsewhere, folder);
    const b = await body(`/api/jobs/${id}/build`);
    assert.equal(b.present, false);
    assert.equal(b.hasQaReport, false);
    assert.equal((await get(`/api/jobs/${id}/qa`)).status, 404);
  });

  test('hostile: a report or manifest that is not what herd writes is not served', async () => {
    const id = await succeededBuild(env.svc, dataDir);
    const folder = join(dataDir, 'builds', id);
    writeFileSync(join(folder, 'qa', 'report.json'), '{"reportVersion": 1, "<script>": 1');
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ schemaVersion: 1, name: 'Bad Name!', outputs: [] }));
    assert.equal((await get(`/api/jobs/${id}/qa`)).status, 404);
    const b = await body(`/api/jobs/${id}/build`);
    assert.equal(b.present, false);
    assert.deepEqual(b.outputs, []);
    // a directory where a file is expected
    rmSync(join(folder, 'qa', 'report.json'));
    mkdirSync(join(folder, 'qa', 'report.json'));
    assert.equal((await get(`/api/jobs/${id}/qa`)).status, 404);
  });

  test('only build jobs have outputs; unknown jobs and bad ids are refused; a viewer role is needed', async () => {
    const noop = await env.svc.queue.enqueue('noop', { v: 1 });
    const notBuild = await get(`/api/jobs/${noop.id}/build`);
    assert.equal(notBuild.status, 404);
    assert.equal((await notBuild.json()).code, 'job.not_a_build');
    assert.equal((await get(`/api/jobs/${noop.id}/progress`)).status, 200);
    for (const path of ['progress', 'build', 'qa']) {
      assert.equal((await get(`/api/jobs/00000000-0000-4000-8000-000000000000/${path}`)).status, 404);
      assert.equal((await get(`/api/jobs/..%2F..%2Fetc/${path}`)).status, 400);
      const anon = await get(`/api/jobs/${noop.id}/${path}`, '');
      assert.equal(anon.status, 401);
      const err = await anon.json();
      assert.equal(err.code, 'api.unauthenticated');
      assert.ok(err.hint);
    }
  });

  test('a server without a data folder (or whose worker ran elsewhere) answers with what it has', async () => {
    const id = await succeededBuild(env.svc, dataDir);
    const bare = createApp(env.svc, {});
    const b = await (await bare.request(`/api/jobs/${id}/build`, { headers: bearer(viewer) })).json();
    assert.equal(b.present, false);
    const qa = await bare.request(`/api/jobs/${id}/qa`, { headers: bearer(viewer) });
    assert.equal(qa.status, 404);
    assert.match((await qa.json()).hint, /another machine/);
  });
});
