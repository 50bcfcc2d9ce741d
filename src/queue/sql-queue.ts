import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import type { Schema } from '../store/schema.ts';
import type { EnqueueOptions, Job, JobEvent, JobState, Queue } from './queue.ts';

const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** The queue as a table in the store's database; the same code runs on SQLite and PostgreSQL. */
export class SqlQueue implements Queue {
  constructor(private readonly store: Database, private readonly defaults = { maxAttempts: 3 }) {}

  private get db() { return this.store.db; }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    const maxAttempts = options.maxAttempts ?? this.defaults.maxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new AppError('queue.bad_max_attempts', `maxAttempts must be a positive integer, got ${maxAttempts}`);
    }
    const now = Date.now();
    const row: Schema['jobs'] = {
      id: randomUUID(), kind, payload: JSON.stringify(payload ?? null), state: 'queued', attempts: 0, max_attempts: maxAttempts,
      worker_id: null, run_after: iso(now + (options.delayMs ?? 0)), heartbeat_at: null, created_at: iso(now),
      started_at: null, finished_at: null, result: null, error: null,
    };
    await this.db.insertInto('jobs').values(row).execute();
    return toJob(row);
  }

  async claim(workerId: string, kinds: readonly string[]): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const now = iso();
    const pg = this.store.dialect === 'postgres';
    // SQLite runs one writer at a time, so the UPDATE … WHERE id = (SELECT …) is atomic on its own;
    // PostgreSQL needs FOR UPDATE SKIP LOCKED so concurrent claimers skip rows another one holds.
    const row = await this.db.updateTable('jobs')
      .set((eb) => ({ state: 'running', worker_id: workerId, heartbeat_at: now, started_at: now, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', (eb) => eb.selectFrom('jobs').select('id')
        .where('state', '=', 'queued').where('kind', 'in', [...kinds]).where('run_after', '<=', now)
        .orderBy('run_after').orderBy('created_at').limit(1)
        .$if(pg, (q) => q.forUpdate().skipLocked()))
      .where('state', '=', 'queued')
      .returningAll().executeTakeFirst();
    return row && toJob(row);
  }

  async heartbeat(jobId: string, workerId: string): Promise<boolean> {
    const r = await this.db.updateTable('jobs').set({ heartbeat_at: iso() })
      .where('id', '=', jobId).where('worker_id', '=', workerId).where('state', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finish(jobId: string, workerId: string, result?: unknown): Promise<void> {
    const r = await this.db.updateTable('jobs')
      .set({ state: 'succeeded', finished_at: iso(), result: JSON.stringify(result ?? null) })
      .where('id', '=', jobId).where('worker_id', '=', workerId).where('state', '=', 'running').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw lostJob(jobId, workerId);
  }

  async fail(jobId: string, workerId: string, error: string, options: { retryDelayMs?: number } = {}): Promise<Job> {
    const job = await this.get(jobId);
    if (!job || job.state !== 'running' || job.workerId !== workerId) throw lostJob(jobId, workerId);
    const retry = job.attempts < job.maxAttempts;
    const r = await this.db.updateTable('jobs')
      .set(retry
        ? { state: 'queued', worker_id: null, heartbeat_at: null, error, run_after: iso(Date.now() + (options.retryDelayMs ?? 0)) }
        : { state: 'failed', finished_at: iso(), error })
      .where('id', '=', jobId).where('worker_id', '=', workerId).where('state', '=', 'running').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw lostJob(jobId, workerId);
    return (await this.get(jobId))!;
  }

  async cancel(jobId: string): Promise<Job> {
    const r = await this.db.updateTable('jobs').set({ state: 'cancelled', finished_at: iso() })
      .where('id', '=', jobId).where('state', 'in', ['queued', 'running']).executeTakeFirst();
    const job = await this.get(jobId);
    if (!job) throw new AppError('job.not_found', `no job with id ${jobId}`, { kind: 'not_found', hint: 'list jobs with GET /api/jobs' });
    if (Number(r.numUpdatedRows) !== 1) {
      throw new AppError('job.not_cancellable', `job ${jobId} is already ${job.state}`, { kind: 'conflict', hint: 'only queued or running jobs can be cancelled' });
    }
    return job;
  }

  async requeueStale(staleAfterMs: number): Promise<number> {
    const cutoff = iso(Date.now() - staleAfterMs);
    const stale = (q: any) => q.where('state', '=', 'running').where('heartbeat_at', '<', cutoff);
    const error = `worker stopped sending heartbeats (none for ${staleAfterMs} ms)`;
    const failed = await stale(this.db.updateTable('jobs'))
      .set({ state: 'failed', finished_at: iso(), error })
      .whereRef('attempts', '>=', 'max_attempts').executeTakeFirst();
    const requeued = await stale(this.db.updateTable('jobs'))
      .set({ state: 'queued', worker_id: null, heartbeat_at: null, error })
      .whereRef('attempts', '<', 'max_attempts').executeTakeFirst();
    return Number(failed.numUpdatedRows) + Number(requeued.numUpdatedRows);
  }

  async get(jobId: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    return row && toJob(row);
  }

  async list(filter: { state?: JobState; kind?: string; limit?: number } = {}): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(filter.limit ?? 100);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    return (await q.execute()).map(toJob);
  }

  async log(jobId: string, type: string, data: unknown): Promise<void> {
    await this.db.insertInto('job_events').values({ job_id: jobId, at: iso(), type, data: JSON.stringify(data ?? null) }).execute();
  }

  async events(jobId: string, afterId = 0): Promise<JobEvent[]> {
    const rows = await this.db.selectFrom('job_events').selectAll()
      .where('job_id', '=', jobId).where('id', '>', afterId).orderBy('id').limit(1000).execute();
    return rows.map((r) => ({ id: Number(r.id), jobId: r.job_id, at: r.at, type: r.type, data: JSON.parse(r.data) }));
  }
}

function lostJob(jobId: string, workerId: string): AppError {
  return new AppError('queue.lost_job', `worker ${workerId} no longer holds job ${jobId}`, {
    kind: 'internal', hint: 'the job was cancelled or requeued after a missed heartbeat; its result is discarded',
  });
}

function toJob(r: Schema['jobs']): Job {
  return {
    id: r.id, kind: r.kind, payload: JSON.parse(r.payload), state: r.state, attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts), workerId: r.worker_id, runAfter: r.run_after, heartbeatAt: r.heartbeat_at,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
    result: r.result === null ? null : JSON.parse(r.result), error: r.error,
  };
}
