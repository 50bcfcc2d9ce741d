import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../src/queue/queue.ts';
import { HerdFeed } from '../../src/release/feeds/herd-feed.ts';
import { getDocument } from '../../src/store/documents.ts';
import { listReleases } from '../../src/store/releases.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { succeededBuild } from './fixtures/build-output.ts';
import { cliPath, killHard, spawnTs, waitForLine } from './fixtures/child-process.ts';
import { makeServices } from './fixtures/services.ts';

const slowWorker = fileURLToPath(new URL('./fixtures/slow-publish-worker.ts', import.meta.url));
const children: ChildProcess[] = [];
after(async () => { await Promise.all(children.map(killHard)); });

const until = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('reliability', () => {
  test('a worker killed mid-publish: the job is retried elsewhere, no partial release ever shows', async () => {
    const env = await makeServices('herd-kill-');
    try {
      const data = join(env.dir, 'data');
      const build = await succeededBuild(env.svc, data);
      const job = await env.svc.queue.enqueue('publish', { v: 2, build }, { maxAttempts: 3 });
      const child = spawnTs(slowWorker, [data]);
      children.push(child);
      await waitForLine(child, /stored base\//);
      await killHard(child);

      assert.equal((await env.svc.queue.get(job.id))?.state, 'running');
      const [pending] = await listReleases(env.svc.store.db, { productId: 'base' });
      assert.equal(pending?.state, 'pending');
      assert.equal(await getDocument(env.svc.store.db, 'feeds/testing.json'), undefined, 'nothing announced yet');

      const rescuer = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(data, 'builds') }), pollMs: 20, heartbeatMs: 100, staleAfterMs: 400 });
      rescuer.start();
      await until('the retried job', async () => (await env.svc.queue.get(job.id))?.state === 'succeeded');
      await rescuer.stop();

      const done = await env.svc.queue.get(job.id);
      assert.equal(done?.attempts, 2);
      const releases = await listReleases(env.svc.store.db, { productId: 'base' });
      assert.deepEqual(releases.map((r) => [r.version, r.state]), [[pending!.version, 'published']]);
      const feed = HerdFeed.parse(JSON.parse((await getDocument(env.svc.store.db, 'feeds/testing.json'))!.body));
      assert.equal(feed.products.base?.release, pending!.version);
    } finally {
      await env.cleanup();
    }
  });

  test('the server restarts with jobs in flight and carries on', async () => {
    const env = await makeServices('herd-restart-');
    try {
      const data = join(env.dir, 'data');
      const jobs: Job[] = [];
      for (let i = 0; i < 3; i++) jobs.push(await env.svc.queue.enqueue('noop', { v: 1, sleepMs: 700 }));
      const serve = (port: string) => {
        const child = spawnTs(cliPath, ['serve', '--no-respin', '--data', data, '--port', port, '--heartbeat-timeout', '1']);
        children.push(child);
        return child;
      };
      const first = serve('0');
      await waitForLine(first, /listening on http:\/\/127\.0\.0\.1:\d+/);
      await until('a job to start', async () => (await env.svc.queue.list({ state: 'running' })).length === 1);
      await killHard(first);

      const second = serve('0');
      const [, url] = (await waitForLine(second, /listening on (http:\/\/127\.0\.0\.1:\d+)/))!;
      await until('every job to finish', async () => (await Promise.all(jobs.map((j) => env.svc.queue.get(j.id)))).every((j) => j?.state === 'succeeded'), 20_000);
      const attempts = (await Promise.all(jobs.map((j) => env.svc.queue.get(j.id)))).map((j) => j!.attempts).sort();
      assert.deepEqual(attempts, [1, 1, 2]);
      const health = await fetch(`${url}/api/health`);
      assert.deepEqual(await health.json(), { ok: true });
      const stop = new Promise((r) => second.once('exit', r));
      process.kill(second.pid!, 'SIGTERM');
      assert.equal(await stop, 0);
    } finally {
      await env.cleanup();
    }
  });
});
