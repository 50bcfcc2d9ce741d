import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestHandle, testDatabases } from '../store/test-databases.ts';
import { SqlQueue } from './sql-queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const target of testDatabases) {
  describe(`queue contract (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    let q: SqlQueue;
    before(async () => { h = await target.open({ poolSize: 12 }); q = new SqlQueue(h); });
    after(async () => { await h?.close(); });

    test('enqueue then claim hands out the job once, only for matching kinds', async () => {
      const job = await q.enqueue('k-claim', { v: 1, n: 1 });
      assert.equal(job.state, 'queued');
      assert.equal(await q.claim('w1', ['other-kind']), undefined);
      const claimed = await q.claim('w1', ['k-claim']);
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed?.state, 'running');
      assert.equal(claimed?.attempts, 1);
      assert.deepEqual(claimed?.payload, { v: 1, n: 1 });
      assert.equal(await q.claim('w2', ['k-claim']), undefined);
      await q.finish(job.id, 'w1');
    });

    test('finish stores the result; a worker that does not hold the job cannot finish it', async () => {
      const job = await q.enqueue('k-finish', { v: 1 });
      await q.claim('w1', ['k-finish']);
      await assert.rejects(q.finish(job.id, 'intruder'), { code: 'queue.lost_job' });
      assert.equal(await q.heartbeat(job.id, 'w1'), true);
      await q.finish(job.id, 'w1', { ok: true });
      const done = await q.get(job.id);
      assert.equal(done?.state, 'succeeded');
      assert.deepEqual(done?.result, { ok: true });
      assert.equal(await q.heartbeat(job.id, 'w1'), false);
    });

    test('fail retries until maxAttempts, then marks the job failed', async () => {
      const job = await q.enqueue('k-fail', {}, { maxAttempts: 2 });
      await q.claim('w1', ['k-fail']);
      assert.equal((await q.fail(job.id, 'w1', 'boom 1')).state, 'queued');
      const again = await q.claim('w2', ['k-fail']);
      assert.equal(again?.attempts, 2);
      const final = await q.fail(job.id, 'w2', 'boom 2');
      assert.equal(final.state, 'failed');
      assert.equal(final.error, 'boom 2');
      assert.equal(await q.claim('w3', ['k-fail']), undefined);
    });

    test('a retry delay keeps the job out of reach until it passes', async () => {
      const job = await q.enqueue('k-delay', {});
      await q.claim('w1', ['k-delay']);
      await q.fail(job.id, 'w1', 'later', { retryDelayMs: 200 });
      assert.equal(await q.claim('w1', ['k-delay']), undefined);
      await sleep(250);
      assert.equal((await q.claim('w1', ['k-delay']))?.id, job.id);
      await q.finish(job.id, 'w1');
    });

    test('cancel stops queued and running jobs; the running worker sees it at its next heartbeat', async () => {
      const queued = await q.enqueue('k-cancel', {});
      assert.equal((await q.cancel(queued.id)).state, 'cancelled');
      assert.equal(await q.claim('w1', ['k-cancel']), undefined);
      const running = await q.enqueue('k-cancel', {});
      await q.claim('w1', ['k-cancel']);
      await q.cancel(running.id);
      assert.equal(await q.heartbeat(running.id, 'w1'), false);
      await assert.rejects(q.finish(running.id, 'w1'), { code: 'queue.lost_job' });
      await assert.rejects(q.cancel(running.id), { code: 'job.not_cancellable' });
      await assert.rejects(q.cancel('00000000-0000-0000-0000-000000000000'), { code: 'job.not_found' });
    });

    test('a stale heartbeat requeues the job, then fails it past the retry limit', async () => {
      const job = await q.enqueue('k-stale', {}, { maxAttempts: 2 });
      await q.claim('dead-1', ['k-stale']);
      await sleep(60);
      assert.equal(await q.requeueStale(50), 1);
      assert.equal((await q.get(job.id))?.state, 'queued');
      assert.equal(await q.heartbeat(job.id, 'dead-1'), false);
      await q.claim('dead-2', ['k-stale']);
      await sleep(60);
      await q.requeueStale(50);
      const final = await q.get(job.id);
      assert.equal(final?.state, 'failed');
      assert.match(final?.error ?? '', /heartbeat/);
    });

    test('events come back in order after a given id', async () => {
      const job = await q.enqueue('k-events', {});
      await q.log(job.id, 'log', { line: 'one' });
      await q.log(job.id, 'progress', { step: 2, of: 3 });
      const all = await q.events(job.id);
      assert.deepEqual(all.map((e) => e.type), ['log', 'progress']);
      const rest = await q.events(job.id, all[0]!.id);
      assert.deepEqual(rest.map((e) => e.data), [{ step: 2, of: 3 }]);
    });

    test('several concurrent workers never run the same job', async () => {
      const n = 60;
      for (let i = 0; i < n; i++) await q.enqueue('k-race', { i });
      const ran = new Map<string, string>();
      const worker = async (id: string) => {
        for (;;) {
          const job = await q.claim(id, ['k-race']);
          if (!job) return;
          assert.equal(ran.has(job.id), false, `job ${job.id} claimed twice (${ran.get(job.id)} and ${id})`);
          ran.set(job.id, id);
          await q.finish(job.id, id);
        }
      };
      await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(worker));
      assert.equal(ran.size, n);
      const succeeded = await q.list({ kind: 'k-race', state: 'succeeded', limit: 1000 });
      assert.equal(succeeded.length, n);
      assert.ok(succeeded.every((j) => j.attempts === 1));
    });
  });
}
