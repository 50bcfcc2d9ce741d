import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createApp } from '../../src/api/app.ts';
import type { CloudTarget } from '../../src/backends/clouds/cloud-target.ts';
import { readTargets, type TargetKinds, targetNamed } from '../../src/release/cloud-targets.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { TARGET_KINDS } from '../../src/release/target-kinds.ts';
import { listCloudImages } from '../../src/store/cloud-images.ts';
import { createPendingRelease } from '../../src/store/releases.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

/** A target kind for these tests: one region per name in `regions`, an image id per region, optionally refusing one. */
const memoryKind = {
  schema: z.strictObject({ regions: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1), refuse: z.string().optional() }),
  create(name: string, c: { regions: string[]; refuse?: string }): CloudTarget {
    return {
      name, platform: 'aws', formats: ['qcow2'], regions: c.regions,
      async check() {},
      plan: (image) => c.regions.map((r) => ({ id: `copy:${r}`, region: r, run: async () => {
        if (r === c.refuse) throw new Error(`${r} refused`);
        return { images: { [r]: `ami-${image.version.replaceAll('.', '')}-${r}` } };
      } })),
      imageIds: (s) => ({ ...(s.images as Record<string, string> | undefined) }),
      async retire() {},
    };
  },
};

describe('cloud targets: the targets file, the publish-cloud job and API', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  const kinds: TargetKinds = { memory: memoryKind };
  before(async () => {
    env = await makeServices('herd-cloud-targets-');
    TARGET_KINDS.memory = memoryKind;
  });
  after(async () => {
    delete TARGET_KINDS.memory;
    await env?.cleanup();
  });

  test('a targets file is checked as a whole: each problem at file:line:column with its setting and a hint', () => {
    const file = join(env.dir, 'bad-targets.yaml');
    writeFileSync(file, ['targets:', '  good:', '    kind: memory', '    regions: [eu-1]', '  Bad_Name:', '    kind: memory', '    regions: [eu-1]',
      '  wrongkind:', '    kind: azure-classic', '  badsetting:', '    kind: memory', '    regions: []', '    password: hunter2', ''].join('\n'));
    assert.throws(() => readTargets(file, kinds), (e: Error & { code?: string; details?: Array<{ line: number; path: string }> }) => {
      assert.equal(e.code, 'targets.invalid');
      assert.deepEqual(e.details!.map((i) => [i.line, i.path]), [[5, 'targets.Bad_Name'], [9, 'targets.wrongkind.kind'], [12, 'targets.badsetting.regions'], [13, 'targets.badsetting.password']]);
      assert.match(e.message, /bad-targets\.yaml:9:11: targets\.wrongkind\.kind: unknown kind "azure-classic"/);
      return true;
    });
    writeFileSync(file, 'targets: [1, 2\n');
    assert.throws(() => readTargets(file, kinds), (e: Error & { code?: string }) => e.code === 'targets.invalid' && /:2:1/.test(e.message));
    assert.deepEqual(readTargets(join(env.dir, 'absent.yaml'), kinds), [], 'no file: no targets');
    writeFileSync(file, 'targets:\n  one:\n    kind: memory\n    regions: [eu-1]\n');
    assert.throws(() => targetNamed(file, kinds, 'two'), (e: Error & { code?: string; hint?: string }) => e.code === 'targets.unknown' && e.hint === 'declared: one');
  });

  test('the publish-cloud job publishes every region; a refused region fails the job, and its retry backfills it without touching the others', async () => {
    writeFileSync(env.svc.targetsFile!, 'targets:\n  mem:\n    kind: memory\n    regions: [home-1, west-2]\n');
    const r = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'base', version: '2026.12.02.0' }));
    const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'data', 'builds') }) });
    const job = await env.svc.queue.enqueue('publish-cloud', { v: 1, release: r.id, target: 'mem' });
    while (await worker.runOnce());
    const done = await env.svc.queue.get(job.id);
    assert.equal(done!.state, 'succeeded', done!.error ?? '');
    assert.deepEqual((await listCloudImages(env.svc.store.db, [r.id])).map((i) => [i.region, i.imageId]), [['home-1', 'ami-202612020-home-1'], ['west-2', 'ami-202612020-west-2']]);

    writeFileSync(env.svc.targetsFile!, 'targets:\n  mem:\n    kind: memory\n    regions: [home-1, west-2, east-3]\n    refuse: east-3\n');
    const partial = await env.svc.queue.enqueue('publish-cloud', { v: 1, release: r.id, target: 'mem' }, { maxAttempts: 1 });
    while (await worker.runOnce());
    const failed = await env.svc.queue.get(partial.id);
    assert.equal(failed!.state, 'failed');
    assert.match(failed!.error ?? '', /east-3 failed at copy:east-3: .*east-3 refused/);
    writeFileSync(env.svc.targetsFile!, 'targets:\n  mem:\n    kind: memory\n    regions: [home-1, west-2, east-3]\n');
    const retry = await env.svc.queue.enqueue('publish-cloud', { v: 1, release: r.id, target: 'mem' });
    while (await worker.runOnce());
    assert.deepEqual((await env.svc.queue.get(retry.id))!.result, {
      release: { id: r.id, product: 'base', version: '2026.12.02.0' }, target: 'mem', platform: 'aws', format: 'qcow2', from: 'qcow2', variant: false, ran: ['copy:east-3'],
      regions: [{ region: 'home-1', status: 'published', imageId: 'ami-202612020-home-1' }, { region: 'west-2', status: 'published', imageId: 'ami-202612020-west-2' },
        { region: 'east-3', status: 'published', imageId: 'ami-202612020-east-3' }],
    });
  });

  test('POST /api/releases/:id/publish-cloud: a publisher\'s; anonymous, a viewer, a foreign Origin, an unknown target, an unpublished release are refused', async () => {
    writeFileSync(env.svc.targetsFile!, 'targets:\n  mem:\n    kind: memory\n    regions: [home-1]\n');
    const r = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'base', version: '2026.12.03.0', seed: 'api' }));
    const pending = await createPendingRelease(env.svc.store.db, { productId: 'base', version: '2026.12.04.0', channel: 'testing', recipeDigest: 'sha256:x', packages: [] });
    const app = createApp(env.svc, { dataDir: join(env.dir, 'data') });
    const [publisher, viewer] = [await tokenFor(env.svc, 'publisher'), await tokenFor(env.svc, 'viewer')];
    const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(`/api/releases/${id}/publish-cloud`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const before = (await env.svc.queue.list({ kind: 'publish-cloud' })).length;
    assert.equal((await post(r.id, { target: 'mem' })).status, 401);
    assert.equal((await post(r.id, { target: 'mem' }, bearer(viewer))).status, 403);
    assert.equal((await post(r.id, { target: 'mem' }, { ...bearer(publisher), origin: 'https://evil.example' })).status, 403);
    const unknown = await post(r.id, { target: 'nope' }, bearer(publisher));
    assert.deepEqual([unknown.status, (await unknown.json() as { code: string }).code], [404, 'targets.unknown']);
    assert.equal((await post(r.id, { target: '../etc' }, bearer(publisher))).status, 400);
    assert.equal((await post(r.id, { target: 'mem', region: 'x' }, bearer(publisher))).status, 400);
    assert.equal((await post(pending.id, { target: 'mem' }, bearer(publisher))).status, 409);
    assert.equal((await env.svc.queue.list({ kind: 'publish-cloud' })).length, before, 'nothing refused was queued');
    const ok = await post(r.id, { target: 'mem' }, bearer(publisher));
    assert.equal(ok.status, 202);
    const job = await ok.json() as { id: string; kind: string; payload: unknown };
    assert.deepEqual([job.kind, job.payload], ['publish-cloud', { v: 1, release: r.id, target: 'mem' }]);
    const twice = await post(r.id, { target: 'mem' }, bearer(publisher));
    assert.deepEqual([twice.status, (await twice.json() as { code: string }).code], [409, 'cloud.in_flight']);
    const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'data', 'builds') }) });
    while (await worker.runOnce());
    const status = await (await app.request(`/api/releases/${r.id}/publications`, { headers: bearer(viewer) })).json() as { targets: Array<{ target: string; steps: Array<{ step: string; status: string; result: unknown }> }> };
    assert.deepEqual(status.targets.map((t) => [t.target, t.steps.map((s) => [s.step, s.status, s.result])]), [['mem', [['copy:home-1', 'done', { images: { 'home-1': 'ami-202612030-home-1' } }]]]]);
    assert.equal((await app.request(`/api/releases/${r.id}/publications`)).status, 401);
  });
});
