import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isAppError } from '../errors.ts';
import type { Job, Queue } from '../queue/queue.ts';
import type { Handlers, JobContext } from './job-handler.ts';

export interface WorkerOptions {
  queue: Queue;
  handlers: Handlers;
  id?: string;
  /** How long to sleep when there is nothing to claim. */
  pollMs?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is presumed dead and retried. */
  staleAfterMs?: number;
  retryDelayMs?: (attempt: number) => number;
}

const backoff = (attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1));

/** Claims jobs, runs their handlers with heartbeats, and reports the outcome to the queue. */
export class Worker {
  readonly id: string;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastSweep = 0;

  constructor(private readonly o: WorkerOptions) {
    this.id = o.id ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  get kinds(): string[] { return Object.keys(this.o.handlers); }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; resolves once the job in hand (if any) has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (e) {
        process.stderr.write(`worker ${this.id}: ${(e as Error).message}\n`);
      }
      if (!worked && this.running) await new Promise<void>((r) => { this.wake = r; setTimeout(r, this.o.pollMs ?? 500); });
    }
  }

  /** Sweeps stale jobs now and then, claims one job and runs it. False when there was nothing to do. */
  async runOnce(): Promise<boolean> {
    const staleAfter = this.o.staleAfterMs ?? 60_000;
    if (Date.now() - this.lastSweep > staleAfter / 2) {
      this.lastSweep = Date.now();
      await this.o.queue.requeueStale(staleAfter);
    }
    const job = await this.o.queue.claim(this.id, this.kinds);
    if (!job) return false;
    await this.execute(job);
    return true;
  }

  private async execute(job: Job): Promise<void> {
    const { queue } = this.o;
    const abort = new AbortController();
    const beat = setInterval(() => {
      queue.heartbeat(job.id, this.id).then((held) => { if (!held) abort.abort(new Error('job cancelled or taken over')); }, () => {});
    }, this.o.heartbeatMs ?? 5_000);
    const ctx: JobContext = {
      job, signal: abort.signal,
      log: (line) => queue.log(job.id, 'log', { line }),
      progress: (data) => queue.log(job.id, 'progress', data),
    };
    // State changes live in the job row (readers derive them from it); only failures add an event, so
    // that the log keeps every attempt's error. That keeps a no-op job to two commits: claim and finish.
    try {
      const result = await this.o.handlers[job.kind]!(ctx);
      if (abort.signal.aborted) return;
      await queue.finish(job.id, this.id, result);
    } catch (e) {
      if (abort.signal.aborted) return;
      const message = isAppError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
      await queue.log(job.id, 'error', { attempt: job.attempts, error: message }).catch(() => {});
      await queue.fail(job.id, this.id, message, { retryDelayMs: (this.o.retryDelayMs ?? backoff)(job.attempts) }).catch(() => {});
    } finally {
      clearInterval(beat);
    }
  }
}
