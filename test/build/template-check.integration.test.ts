import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { generateKey } from '../../src/keys/keyring.ts';
import { openServices } from '../../src/release/open-services.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { createToken } from '../../src/store/tokens.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { hasTools } from '../helpers/host.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A library template's check, for real: submitted through the API, built by a Worker with the release
 * handlers `herd serve` runs (the engine and the QA gate, no stand-in), booted under QEMU, its size budget
 * checked, the outcome recorded on the revision. The template extends the catalogue's base and changes only
 * a file, so the root filesystem step of test/build/build.integration.test.ts (which runs before this file,
 * the same packages and archive state) is reused from the step cache; the configure step onwards is built,
 * because the file's content is new on every run. Builds qcow2 only (the budget is on it; QA boots it).
 * Measured on the 2-core development machine under a load of 5 to 7: with the rootfs cached, the passing check
 * takes about 9 minutes (build 21 s; the QA gate's BIOS boot with its reboot check and UEFI boot under TCG the
 * rest), the over-budget one 4 s; from an empty step cache the rootfs adds about 8.5 minutes.
 */
const repo = resolve(import.meta.dirname, '../..');
const canRun = process.getuid?.() === 0 &&
  hasTools('mmdebstrap', 'mke2fs', 'sfdisk', 'qemu-img', 'grub-mkimage', 'mcopy', 'qemu-system-x86_64', 'ssh');
const skip = canRun ? false : 'needs root, the host tools and QEMU (run: npx herd doctor --install)';

const MiB = 1024 * 1024;
// unique content: a step cache left by an earlier run must not already hold this image
const marker = `checked by the Herd template-check integration test, run ${process.pid}-${Date.now()}\n`;
const recipe = (budget?: string) => [
  'name: motd-check', 'description: the base image with its own message of the day', 'extends: base',
  'outputs: ["!raw", "!raw.xz", "!vmdk", "!vhd", "!gce"]',
  'files:', '  - path: /etc/motd', `    content: ${JSON.stringify(marker)}`,
  ...(budget ? ['size-budget:', `  qcow2: ${budget}`] : []), '',
].join('\n');

describe('template check with the real engine and QA boot', { skip }, () => {
  let dir: string;
  let svc: ReleaseServices;
  let app: ReturnType<typeof createApp>;
  let worker: Worker;
  const tok: Record<string, string> = {};
  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tok[who]}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() as any };
  };
  const submit = (slug: string, text: string) => call('alice', 'POST', '/api/library', { slug, title: `Template ${slug}`, description: 'checked for real', recipe: text });
  /** Runs jobs the way `herd serve`'s worker does until the job has ended (a retry is claimed again). */
  const runUntilEnded = async (jobId: string) => {
    for (;;) {
      const job = (await svc.queue.get(jobId))!;
      if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
      assert.ok(await worker.runOnce(), `job ${jobId} is ${job.state} but nothing was claimed`);
    }
  };

  before(async () => {
    dir = tempDir('herd-it-template-');
    await generateKey(join(dir, 'data', 'keys'));
    svc = await openServices({ dataDir: join(dir, 'data'), recipesDir: join(repo, 'recipes') });
    app = createApp(svc, { dataDir: join(dir, 'data') });
    worker = new Worker({ queue: svc.queue, handlers: releaseHandlers(svc, { buildsDir: join(dir, 'data', 'builds') }), retryDelayMs: () => 0 });
    tok.alice = (await createToken(svc.store.db, { name: 'alice', role: 'contributor' })).secret;
    tok.bob = (await createToken(svc.store.db, { name: 'bob', role: 'reviewer' })).secret;
  });
  after(async () => { await svc?.close(); });

  test('a template extending base is built, booted and within budget: passed, reviewable, buildable', { timeout: 30 * 60_000 }, async () => {
    const t0 = performance.now();
    const s = await submit('motd-check', recipe());
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const id = s.body.template.id;
    const job = await runUntilEnded(s.body.check.id);
    const seconds = Math.round((performance.now() - t0) / 1000);
    process.stderr.write(`# template check (build + QA boot): ${seconds} s\n`);
    assert.equal(job.state, 'succeeded', job.error ?? '');

    const t = (await call('bob', 'GET', `/api/library/${id}`)).body;
    assert.equal(t.state, 'in_review');
    const check = t.revisions[0].check;
    assert.equal(check.state, 'passed');
    assert.deepEqual([check.detail.build, check.detail.boot, check.detail.size.item, check.detail.size.budget, check.detail.size.ok],
      ['passed', 'passed', 'qcow2', 120 * MiB, true], 'the budget inherited from base');
    assert.ok(check.detail.size.bytes > 10 * MiB && check.detail.size.bytes <= 120 * MiB, `qcow2 of ${check.detail.size.bytes} bytes`);

    // what the worker left: the image with the template's file, and a QA report of a real boot bound to it
    const out = join(dir, 'data', 'builds', job.id);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.name, 'motd-check');
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as { steps: Array<{ stage: string; options: { files?: Array<{ path: string; contentBase64: string }> } }> };
    const files = plan.steps.find((st) => st.stage === 'configure')!.options.files!;
    assert.deepEqual(files.map((f) => [f.path, Buffer.from(f.contentBase64, 'base64').toString()]), [['/etc/motd', marker]], 'the stored text was built');
    assert.deepEqual(manifest.outputs.map((o: { format: string }) => o.format), ['qcow2']);
    assert.equal(manifest.outputs[0].size, check.detail.size.bytes);
    assert.equal(manifest.qa.passed, true);
    const report = JSON.parse(readFileSync(join(out, manifest.qa.report), 'utf8'));
    assert.ok(report.results.some((r: { id: string; status: string }) => r.id.startsWith('B') && r.status === 'pass'), 'a boot check ran and passed');
    assert.ok(existsSync(join(out, 'qa')), 'the serial logs of the boot');

    const review = await call('bob', 'POST', `/api/library/${id}/reviews`, { revision: t.current.digest, verdict: 'approve', comment: 'built and booted' });
    assert.equal(review.status, 201, JSON.stringify(review.body));
    assert.equal(review.body.template.state, 'approved');
    const build = await call('alice', 'POST', `/api/library/${id}/builds`);
    assert.equal(build.status, 202, JSON.stringify(build.body));
    assert.deepEqual(build.body.payload, { v: 2, template: t.revisions[0].id, check: false, qa: 'full', publish: false });
    assert.equal((await svc.queue.get(build.body.id))?.state, 'queued');
    // that build is the same image again: enqueued is what this test is about, so it is not run
    await svc.queue.cancel(build.body.id);
  });

  test('a template whose size budget is below its image fails its check on the budget, without a boot', { timeout: 10 * 60_000 }, async () => {
    // the same image as above (a budget does not change a byte of the disk), so every step is cached
    const t0 = performance.now();
    const s = await submit('motd-too-small', recipe('1MiB'));
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const job = await runUntilEnded(s.body.check.id);
    process.stderr.write(`# template check over budget (cached steps, two attempts): ${Math.round((performance.now() - t0) / 1000)} s\n`);
    assert.equal(job.state, 'failed');
    assert.equal(job.attempts, 2, 'a failing image fails its retry the same way');

    const t = (await call('bob', 'GET', `/api/library/${s.body.template.id}`)).body;
    assert.equal(t.state, 'check_failed');
    const { state, detail } = t.revisions[0].check;
    assert.equal(state, 'failed');
    assert.deepEqual([detail.build, detail.boot, detail.size, detail.error.code], ['passed', 'not_run', { ok: false }, 'size.budget_exceeded']);
    assert.match(detail.error.message, /qcow2 over the recipe's size budget/);
    assert.ok(!detail.error.message.includes(dir), 'no server path in the public detail');
    const events = await svc.queue.events(job.id);
    assert.ok(!events.some((e) => e.type === 'log' && /^QA /.test((e.data as { line: string }).line)), 'QA never ran');
    assert.ok(!existsSync(join(dir, 'data', 'builds', job.id)), 'a failed build leaves no output folder');

    const review = await call('bob', 'POST', `/api/library/${s.body.template.id}/reviews`, { revision: t.current.digest, verdict: 'approve' });
    assert.deepEqual([review.status, review.body.code], [409, 'library.not_reviewable']);
  });
});
