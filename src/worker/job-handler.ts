import type { Job } from '../queue/queue.ts';

export interface JobContext<P = any> {
  job: Job<P>;
  /** Aborted when the job is cancelled or another worker took it over; handlers stop promptly. */
  signal: AbortSignal;
  log(line: string): Promise<void>;
  progress(data: Record<string, unknown>): Promise<void>;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/** A worker claims exactly the kinds it has handlers for: the keys of this object. */
export type Handlers = Record<string, JobHandler>;
