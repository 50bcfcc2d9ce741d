import { Alert, Label, Progress, ProgressMeasureLocation, ProgressSize } from '@patternfly/react-core';
import { Link, useLocation } from 'react-router';
import { ApiError, type GetResult } from '../api/client.ts';

export type Job = GetResult<'/api/jobs/{id}'>;
export type JobProgress = GetResult<'/api/jobs/{id}/progress'>;
export type JobState = Job['state'];

export const FINISHED: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

const STATE_LOOK: Record<JobState, { color: 'blue' | 'green' | 'red' | 'grey' | 'purple'; text: string }> = {
  queued: { color: 'purple', text: 'Queued' },
  running: { color: 'blue', text: 'Running' },
  succeeded: { color: 'green', text: 'Succeeded' },
  failed: { color: 'red', text: 'Failed' },
  cancelled: { color: 'grey', text: 'Cancelled' },
};

/** A job's state as a coloured label that also says it in words (colour is never the only cue). */
export function JobStateLabel({ state, testId }: { state: JobState; testId?: string }) {
  const look = STATE_LOOK[state];
  return <Label color={look.color} isCompact data-testid={testId} data-state={state}>{look.text}</Label>;
}

/** What a person calls a job: a build by its recipe (or as a template's check or build), a publish by the build it publishes. */
export function jobTitle(job: Pick<Job, 'kind' | 'payload'>): string {
  const p = (job.payload ?? {}) as Record<string, unknown>;
  // a library template's build names its revision, not a recipe (src/library/template-check.ts)
  if (job.kind === 'build' && typeof p.template === 'string') return p.check ? 'Template check' : 'Template build';
  if (job.kind === 'build' && typeof p.recipe === 'string') return `Build ${p.recipe}${typeof p.product === 'string' && p.product !== p.recipe ? ` → ${p.product}` : ''}`;
  if (job.kind === 'publish' && typeof p.build === 'string') return `Publish build ${p.build.slice(0, 8)}`;
  return `${job.kind} job`;
}

/** Phase, steps done of the plan, and QA checks so far, as a bar and a line of text. */
export function ProgressSummary({ progress, testId }: { progress?: JobProgress; testId?: string }) {
  if (!progress?.phase) return <span data-testid={testId}>Starting…</span>;
  const { phase, stepsTotal, stepsDone, stage, qa } = progress;
  const qaRan = qa.pass + qa.fail + qa.skip + qa.error;
  const detail = phase === 'qa'
    ? `QA: ${qa.pass} passed, ${qa.fail + qa.error} failed${qa.skip ? `, ${qa.skip} skipped` : ''}`
    : stepsTotal ? `${phase}: step ${Math.min(stepsDone + 1, stepsTotal)} of ${stepsTotal}${stage ? ` (${stage})` : ''}` : `${phase}${progress.detail ? `: ${progress.detail}` : ''}`;
  const value = phase === 'qa' ? 100 : stepsTotal ? Math.round((100 * stepsDone) / stepsTotal) : undefined;
  return (
    <div data-testid={testId} data-phase={phase} className="herd-progress">
      {value !== undefined
        ? <Progress value={value} title={detail} size={ProgressSize.sm} measureLocation={ProgressMeasureLocation.outside}
            variant={phase === 'qa' && qa.fail + qa.error > 0 ? 'danger' : undefined}
            aria-label={`${detail}${phase === 'qa' ? '' : `, ${value}% of the plan's steps done`}`} />
        : <span>{detail}</span>}
      {phase === 'qa' && qaRan === 0 && <span className="herd-muted"> (starting)</span>}
    </div>
  );
}

/** A refused or failed API call, as the service stated it; on 401/403 a way to sign in and come back. */
export function ApiFailure({ what, error, testId = 'api-error' }: { what: string; error: Error; testId?: string }) {
  const location = useLocation();
  const status = error instanceof ApiError ? error.status : undefined;
  const hint = error instanceof ApiError ? error.hint : undefined;
  const needsSignIn = status === 401 || status === 403;
  const next = encodeURIComponent(`${location.pathname}${location.search}`);
  return (
    <Alert variant={needsSignIn ? 'warning' : 'danger'} isInline data-testid={testId} data-status={status}
      title={status === 401 ? `Sign in to see ${what}` : status === 403 ? `Your account may not see ${what}` : `Could not load ${what}`}>
      <p data-testid={`${testId}-message`}>{error.message}</p>
      {hint && <p data-testid={`${testId}-hint`}>{hint}</p>}
      {status === 401 && <p><Link to={`/sign-in?next=${next}`} data-testid={`${testId}-sign-in`}>Sign in</Link></p>}
    </Alert>
  );
}
