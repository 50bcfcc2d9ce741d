import { z } from 'zod';
import type { JobEvent } from '../queue/queue.ts';

export const JobProgressView = z.object({
  phase: z.string().optional().describe('the build phase last announced (load, resolve, execute, outputs, size, qa)'),
  detail: z.string().optional(),
  stepsTotal: z.number().int().optional().describe('plan steps, once the execute phase has announced them'),
  stepsDone: z.number().int(),
  stage: z.string().optional().describe('the stage of the step running now'),
  qa: z.object({ pass: z.number().int(), fail: z.number().int(), skip: z.number().int(), error: z.number().int() }),
  lastLine: z.string().optional(),
  at: z.string().optional().describe('when the last event was recorded'),
});
export type JobProgress = z.infer<typeof JobProgressView>;

const STEP_DONE = new Set(['cached', 'built', 'failed', 'skipped']);
const QA_LINE = /^QA (pass|fail|skip|error) /;

/**
 * Where a job is, from its events (the worker's `progress` and `log` events, see src/worker/handlers.ts).
 * A retried job starts over at its attempt's `load` phase, so only the latest attempt counts.
 */
export function summarizeProgress(events: readonly JobEvent[]): JobProgress {
  let p: JobProgress = { stepsDone: 0, qa: { pass: 0, fail: 0, skip: 0, error: 0 } };
  for (const e of events) {
    const d = (e.data ?? {}) as Record<string, unknown>;
    p.at = e.at;
    if (e.type === 'progress' && typeof d.phase === 'string') {
      if (d.phase === 'load') p = { stepsDone: 0, qa: { pass: 0, fail: 0, skip: 0, error: 0 }, at: e.at };
      p.phase = d.phase;
      p.detail = typeof d.detail === 'string' ? d.detail : undefined;
      const steps = d.phase === 'execute' ? /^(\d+) steps$/.exec(p.detail ?? '') : null;
      if (steps) p.stepsTotal = Number(steps[1]);
    } else if (e.type === 'progress' && typeof d.stage === 'string') {
      if (d.status === 'running') p.stage = d.stage;
      else if (typeof d.status === 'string' && STEP_DONE.has(d.status)) p.stepsDone++;
    } else if (e.type === 'log' && typeof d.line === 'string') {
      p.lastLine = d.line;
      const qa = QA_LINE.exec(d.line);
      if (qa) {
        p.phase = 'qa';
        p.qa[qa[1] as keyof JobProgress['qa']]++;
      }
    }
  }
  return p;
}
