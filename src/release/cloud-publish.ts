import { setTimeout as sleep } from 'node:timers/promises';
import { type CloudTarget, type PublishStep, RetryableCloudError, type StepState } from '../backends/clouds/cloud-target.ts';
import { AppError, formatError } from '../errors.ts';
import { recordCloudImage } from '../store/cloud-images.ts';
import { publicationSteps, recordStep } from '../store/cloud-publications.ts';
import { getRelease, type Release } from '../store/releases.ts';
import { cloudImageSource, type OpenedSource } from './cloud-image-source.ts';
import { republish } from './republish.ts';
import type { ReleaseServices } from './services.ts';

export interface RetryPolicy {
  /** Tries per step for a retryable failure (throttling, 5xx), the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 1000, maxMs: 60_000 };

export interface RegionOutcome {
  region: string;
  status: 'published' | 'failed' | 'skipped';
  imageId?: string;
  /** The step that failed, and why (failed); why it did not run (skipped). */
  step?: string;
  error?: string;
}

export interface CloudPublishReport {
  release: { id: string; product: string; version: string };
  target: string;
  platform: string;
  /** The container uploaded (raw, qcow2…) and the release format it came from. */
  format: string;
  from: string;
  /** The disk was the cloud's own variant (its cloud-init reads that cloud's metadata), not the generic NoCloud disk. */
  variant: boolean;
  regions: RegionOutcome[];
  /** Steps run by this call (not those a previous run finished). */
  ran: string[];
}

export interface CloudPublishOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
  retry?: RetryPolicy;
  /** Where a compressed image is unpacked for a target that takes it raw (default: the system's temp folder). */
  workDir?: string;
}

/**
 * Publishes a release to a cloud target as a resumable state machine (issue #12). Credentials are checked
 * before anything is uploaded. Each step of the target's plan runs once: its result is stored when it finishes,
 * and a later run (after a crash, a failure, or to backfill a region) starts from the first step not done.
 * Retryable failures (throttling, 5xx) are retried with exponential backoff and jitter; anything else ends the
 * step's region. The home region (first) comes first: when it fails, the other regions are skipped (they copy
 * its image); one other region failing leaves the rest published. Each published region's image id goes into
 * the release and the feeds, write-once: an id already there never changes.
 */
export async function publishToCloud(svc: ReleaseServices, releaseId: string, target: CloudTarget, o: CloudPublishOptions = {}): Promise<CloudPublishReport> {
  const log = o.log ?? (() => {});
  const signal = o.signal ?? new AbortController().signal;
  const release = await publishableRelease(svc, releaseId);
  await target.check(signal);
  const source = await cloudImageSource(svc, release, target, { workDir: o.workDir, log, signal });
  try {
    return await runPlan(svc, release, target, source, { signal, log, retry: o.retry ?? DEFAULT_RETRY });
  } finally {
    await source.close();
  }
}

async function runPlan(svc: ReleaseServices, release: Release, target: CloudTarget, source: OpenedSource,
  o: { signal: AbortSignal; log: (l: string) => void; retry: RetryPolicy }): Promise<CloudPublishReport> {
  const steps = target.plan(source.image);
  const home = target.regions[0]!;
  const done = new Map((await publicationSteps(svc.store.db, release.id, target.name)).filter((s) => s.status === 'done').map((s) => [s.step, s.result]));
  let state: Record<string, unknown> = {};
  for (const s of steps) if (done.has(s.id)) state = mergeState(state, done.get(s.id)!);
  const failed = new Map<string, { step: string; error: string }>();
  const ran: string[] = [];
  for (const step of steps) {
    if (done.has(step.id)) continue;
    const blocked = failed.get(step.region) ?? (step.region !== home ? failed.get(home) : undefined);
    if (blocked) continue;
    o.signal.throwIfAborted();
    o.log(`${target.name}: ${step.id} (${step.region})`);
    const outcome = await runStep(step, state, o);
    if ('error' in outcome) {
      failed.set(step.region, { step: step.id, error: outcome.error });
      await recordStep(svc.store.db, release.id, target.name, { step: step.id, region: step.region, status: 'failed', error: outcome.error, attempts: outcome.attempts });
      o.log(`${target.name}: ${step.id} failed after ${outcome.attempts} attempt(s): ${outcome.error}`);
      continue;
    }
    state = mergeState(state, outcome.result);
    await recordStep(svc.store.db, release.id, target.name, { step: step.id, region: step.region, status: 'done', result: outcome.result, attempts: outcome.attempts });
    ran.push(step.id);
  }
  const ids = target.imageIds(state);
  const regions: RegionOutcome[] = [];
  for (const region of target.regions) {
    const f = failed.get(region);
    const homeFailed = region !== home ? failed.get(home) : undefined;
    if (f) regions.push({ region, status: 'failed', step: f.step, error: f.error });
    else if (homeFailed) regions.push({ region, status: 'skipped', step: homeFailed.step, error: `the home region ${home} failed at ${homeFailed.step}` });
    else if (ids[region]) {
      await republish(svc.store, await svc.signer(), svc.feed,
        (tx) => recordCloudImage(tx, { releaseId: release.id, arch: source.image.arch, platform: target.platform, region, imageId: ids[region]! }));
      regions.push({ region, status: 'published', imageId: ids[region] });
    } else {
      regions.push({ region, status: 'failed', error: 'every step finished but the target names no image for this region (a bug in its adapter)' });
    }
  }
  return { release: { id: release.id, product: release.productId, version: release.version }, target: target.name, platform: target.platform, format: source.image.format, from: source.from, variant: source.variant, regions, ran };
}

/**
 * A step's result added to the state: keys side by side, and a key both hold as a plain object (a per-region map
 * such as `{ images: { 'eu-west-1': 'ami-…' } }`) merged one level down, so regions' steps do not erase each other.
 */
export function mergeState(state: Record<string, unknown>, add: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const out = { ...state };
  for (const [k, v] of Object.entries(add)) out[k] = plain(out[k]) && plain(v) ? { ...(out[k] as object), ...v } : v;
  return out;
}

/** One step, with retries of retryable failures: exponential backoff with full jitter, capped, or the cloud's Retry-After. */
async function runStep(step: PublishStep, state: StepState, o: { signal: AbortSignal; retry: RetryPolicy; log: (l: string) => void }):
  Promise<{ result: Record<string, unknown>; attempts: number } | { error: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { result: await step.run(state, o.signal), attempts: attempt };
    } catch (e) {
      if (o.signal.aborted) throw e;
      if (!(e instanceof RetryableCloudError) || attempt >= o.retry.attempts) return { error: formatError(e), attempts: attempt };
      const after = (e.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
      const ms = after ?? Math.round(Math.random() * Math.min(o.retry.maxMs, o.retry.baseMs * 2 ** (attempt - 1)));
      o.log(`${step.id}: ${e.message}; retrying in ${ms} ms (attempt ${attempt + 1} of ${o.retry.attempts})`);
      await sleep(ms, undefined, { signal: o.signal });
    }
  }
}

async function publishableRelease(svc: ReleaseServices, id: string): Promise<Release> {
  const r = await getRelease(svc.store.db, id);
  if (!r) throw new AppError('cloud.unknown_release', `no release with id ${id}`, { kind: 'not_found', hint: 'list releases with herd releases list' });
  if (r.state !== 'published') throw new AppError('cloud.unpublished', `release ${r.productId} ${r.version} is ${r.state}`, { kind: 'conflict', hint: 'publish it first; only published releases go to clouds' });
  if (r.revokedAt) throw new AppError('cloud.revoked', `release ${r.productId} ${r.version} is revoked (${r.revokeReason})`, { kind: 'conflict', hint: 'publish a newer release; retire this one with herd unpublish-cloud' });
  return r;
}

/**
 * `herd unpublish-cloud`: the target deprecates (EC2, GCE) or deactivates (Glance) the images a release's
 * publication made, from the state its finished steps recorded. The ids stay in the release (write-once); a
 * revoked release is already out of every feed.
 */
export async function retireFromCloud(svc: ReleaseServices, releaseId: string, target: CloudTarget, o: { signal?: AbortSignal } = {}): Promise<{ regions: string[] }> {
  const r = await getRelease(svc.store.db, releaseId);
  if (!r) throw new AppError('cloud.unknown_release', `no release with id ${releaseId}`, { kind: 'not_found', hint: 'list releases with herd releases list' });
  const steps = (await publicationSteps(svc.store.db, releaseId, target.name)).filter((s) => s.status === 'done');
  if (steps.length === 0) {
    throw new AppError('cloud.not_published', `release ${r.productId} ${r.version} has no publication to ${target.name}`, { kind: 'not_found', hint: 'nothing to retire' });
  }
  const state = steps.reduce<Record<string, unknown>>((acc, s) => mergeState(acc, s.result), {});
  const signal = o.signal ?? new AbortController().signal;
  await target.check(signal);
  await target.retire(state, signal);
  return { regions: Object.keys(target.imageIds(state)) };
}
