import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqlQueue } from '../queue/sql-queue.ts';
import { type TestHandle, testDatabases } from '../store/test-databases.ts';
import type { Handlers } from './job-handler.ts';
import { Worker } from './worker.ts';

const until = async (what: string, check: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('worker', () => {
  let h: TestHandle;
  let q: SqlQueue;
  before(async () => { h = await testDatabases[0]!.open(); q = new SqlQueue(h); });
  after(async () => { await h.close(); });

  test('runs jobs of its kinds, logs progress, and records results', async () => {
    const handlers: Handlers = { echo: async (ctx) => { await ctx.progress({ step: 1 }); await ctx.log('hello'); return { got: ctx.job.payload }; } };
    const w = new Worker({ queue: q, handlers, pollMs: 10 });
    const job = await q.enqueue('echo', { v: 1, x: 42 });
    const other = await q.enqueue('not-mine', { v: 1 });
    w.start();
    await until('echo job', async () => (await q.get(job.id))?.state === 'succeeded');
    await w.stop();
    assert.deepEqual((await q.get(job.id))?.result, { got: { v: 1, x: 42 } });
    assert.deepEqual((await q.events(job.id)).map((e) => e.type), ['progress', 'log']);
    assert.equal((await q.get(other.id))?.state, 'queued');
  });

  test('a failing handler is retried until the limit, asking for a delay per attempt', async () => {
    let calls = 0;
    const asked: number[] = [];
    // the delay is recorded, not waited for: which attempt asks for which delay is what this test checks
    const w = new Worker({ queue: q, handlers: { flaky: async () => { calls++; throw new Error(`boom ${calls}`); } }, pollMs: 10,
      retryDelayMs: (attempt) => { asked.push(attempt); return 0; } });
    const job = await q.enqueue('flaky', { v: 1 }, { maxAttempts: 3 });
    w.start();
    await until('flaky job to fail', async () => (await q.get(job.id))?.state === 'failed');
    await w.stop();
    assert.equal(calls, 3);
    assert.deepEqual(asked, [1, 2, 3]);
    assert.equal((await q.get(job.id))?.error, 'boom 3');
    assert.deepEqual((await q.events(job.id)).map((e) => (e.data as any).error), ['boom 1', 'boom 2', 'boom 3']);
  });

  test('without a retryDelayMs, a failed job waits out the default backoff before it can run again', async () => {
    let calls = 0;
    const w = new Worker({ queue: q, handlers: { once: async () => { calls++; throw new Error('first try fails'); } }, pollMs: 10 });
    const job = await q.enqueue('once', { v: 1 }, { maxAttempts: 3 });
    w.start();
    await until('first failure', async () => (await q.get(job.id))?.error === 'first try fails');
    await w.stop();
    const after = (await q.get(job.id))!;
    const failedAt = Date.parse((await q.events(job.id)).find((e) => e.type === 'error')!.at);
    // the default backoff is 1 s after the first attempt: the job is queued again, not before then
    assert.equal(after.state, 'queued');
    assert.equal(after.attempts, 1);
    assert.equal(calls, 1);
    assert.ok(Date.parse(after.runAfter) - failedAt >= 900, `run_after ${after.runAfter} is at least ~1 s after the failure at ${new Date(failedAt).toISOString()}`);
  });

  test('cancelling a running job aborts its handler through the signal', async () => {
    let aborted = false;
    const handlers: Handlers = {
      slow: (ctx) => new Promise((resolve) => { ctx.signal.addEventListener('abort', () => { aborted = true; resolve(null); }); }),
    };
    const w = new Worker({ queue: q, handlers, pollMs: 10, heartbeatMs: 20 });
    const job = await q.enqueue('slow', { v: 1 });
    w.start();
    await until('slow job to start', async () => (await q.get(job.id))?.state === 'running');
    await q.cancel(job.id);
    await until('handler abort', async () => aborted);
    await w.stop();
    assert.equal((await q.get(job.id))?.state, 'cancelled');
  });
});
