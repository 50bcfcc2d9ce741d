import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.ts';
import { liveJob } from '../queue/live-job.ts';
import type { Job } from '../queue/queue.ts';
import { dropRespinClaim, getRespinClaim, setRespinJob, takeRespinClaim } from '../store/respin-claims.ts';
import type { ReleaseServices } from './services.ts';

/** A claim whose holder never recorded its job (it died between the claim and the enqueue) is taken over after this. */
export const CLAIM_STALE_MS = 5 * 60_000;
const WAIT_STEP_MS = 50;
const MAX_WAIT_MS = 10_000;

const live = (j: Job | undefined): j is Job => j !== undefined && (j.state === 'queued' || j.state === 'running');

/**
 * Queues the product's respin build unless one is already queued or running, atomically across processes
 * (`herd respin`, and the scheduler of every `herd serve` on the same database): the caller first takes the
 * product's row in respin_claims (src/store/respin-claims.ts), and only the holder enqueues. A build of the
 * product queued some other way (the API) counts as in flight too, checked by listing (best effort: that path
 * takes no claim).
 */
/** After a respin build failed, the policy waits this long before queueing the product's next one (unless forced). */
export const FAILED_RESPIN_BACKOFF_MS = 6 * 3_600_000;

export async function queueRespinOnce(svc: ReleaseServices, productId: string, payload: unknown, o: { force?: boolean; now?: Date } = {}): Promise<{ job?: Job; inFlight?: Job; failedRecently?: Job }> {
  const other = await buildInFlight(svc, productId);
  if (other) return { inFlight: other };
  for (const deadline = Date.now() + MAX_WAIT_MS; Date.now() < deadline;) {
    const held = await getRespinClaim(svc.store.db, productId);
    const job = held?.jobId ? await svc.queue.get(held.jobId) : undefined;
    if (live(job)) return { inFlight: job };
    // a build that fails (QA, a broken recipe) would otherwise be queued again on every hourly pass, dependents too
    const last = job as Job | undefined; // live() narrowed it away; a finished job is what is asked about here
    if (!o.force && last?.state === 'failed' && last.finishedAt && (o.now ?? new Date()).getTime() - Date.parse(last.finishedAt) < FAILED_RESPIN_BACKOFF_MS) {
      return { failedRecently: last };
    }
    if (held && !held.jobId && Date.now() - Date.parse(held.claimedAt) < CLAIM_STALE_MS) {
      // another process holds the claim and is queueing its job right now: wait for it, then report it
      await sleep(WAIT_STEP_MS);
      continue;
    }
    const claim = randomUUID();
    if (!(await takeRespinClaim(svc.store.db, productId, claim, held?.claim))) continue; // someone else took it: look again
    try {
      const queued = await svc.queue.enqueue('build', payload);
      await setRespinJob(svc.store.db, productId, claim, queued.id);
      return { job: queued };
    } catch (e) {
      await dropRespinClaim(svc.store.db, productId, claim);
      throw e;
    }
  }
  throw new AppError('respin.claim_busy', `another process is queueing a respin of ${productId} and has not recorded its job`, {
    kind: 'conflict', hint: 'run herd respin again in a minute; a claim left by a process that died is taken over after 5 minutes',
  });
}

/** A queued or running build job of the product (an emergency respin while the monthly one runs must not add a second). */
function buildInFlight(svc: ReleaseServices, productId: string): Promise<Job | undefined> {
  return liveJob(svc.queue, 'build', (p) => p.product === productId);
}
