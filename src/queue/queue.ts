import type { JobState } from '../store/schema.ts';

export type { JobState };

export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  workerId: string | null;
  runAfter: string;
  heartbeatAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
  error: string | null;
}

export interface JobEvent { id: number; jobId: string; at: string; type: string; data: unknown }

export interface EnqueueOptions { maxAttempts?: number; delayMs?: number }

/**
 * Jobs in the database. Contract (tested on every dialect by queue.contract.test.ts):
 * - `claim` hands each queued job to exactly one worker, even with many workers claiming at once;
 * - `heartbeat`, `finish` and `fail` only act for the worker that holds the job, and return false
 *   (or throw `queue.lost_job`) once it lost it: cancelled, or requeued after its heartbeat went stale;
 * - `fail` and `requeueStale` retry a job until `attempts` reaches `maxAttempts`, then mark it failed.
 */
export interface Queue {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<Job>;
  claim(workerId: string, kinds: readonly string[]): Promise<Job | undefined>;
  heartbeat(jobId: string, workerId: string): Promise<boolean>;
  finish(jobId: string, workerId: string, result?: unknown): Promise<void>;
  fail(jobId: string, workerId: string, error: string, options?: { retryDelayMs?: number }): Promise<Job>;
  cancel(jobId: string): Promise<Job>;
  /** Requeues (or fails, past the retry limit) running jobs whose heartbeat is older than `staleAfterMs`. */
  requeueStale(staleAfterMs: number): Promise<number>;
  get(jobId: string): Promise<Job | undefined>;
  list(filter?: { state?: JobState; kind?: string; limit?: number }): Promise<Job[]>;
  /** Progress and log lines, read back in order (the API streams them as server-sent events). */
  log(jobId: string, type: string, data: unknown): Promise<void>;
  events(jobId: string, afterId?: number): Promise<JobEvent[]>;
}
