import type { Job } from '../queue/queue.ts';
import { loadRecipe } from '../recipe/load.ts';
import type { InReleaseVerifier } from '../resolve/inrelease-signature.ts';
import type { BytesFetcher } from '../resolve/suite-index.ts';
import { resolveCatalogueRecipe } from './catalogue.ts';
import { type ProductUpdates, productUpdates } from './product-updates.ts';
import { type RespinDecision, respinDecision, respinPolicy } from './respin-policy.ts';
import type { ReleaseServices } from './services.ts';

export interface RespinOutcome {
  updates: ProductUpdates;
  decision: RespinDecision;
  /** The build job this run enqueued (built, QA'd in full, published to testing by the worker). */
  job?: Job;
  /** A build of the product already queued or running: this run added none, so nothing is built or published twice. */
  inFlight?: Job;
}

/**
 * `herd respin PRODUCT`: the product's policy (its recipe's `respin`) applied once, now. When due (or forced)
 * and no build of the product is already queued or running, a build job is enqueued: the worker builds the
 * recipe against the archive as it is now, runs the full QA gate and publishes to testing. A dry run only decides.
 * Promotion to stable after QA or a soak, the scheduler in `herd serve`, and respins of products that extend
 * this one are not done yet (issue #11).
 */
export async function respinProduct(svc: ReleaseServices, productId: string,
  o: { dryRun?: boolean; force?: boolean; now?: Date; fetchBytes?: BytesFetcher; verify?: InReleaseVerifier } = {}): Promise<RespinOutcome> {
  const updates = await productUpdates(svc, productId, { fetchBytes: o.fetchBytes, verify: o.verify });
  const { recipe } = loadRecipe(await resolveCatalogueRecipe(svc.recipesDir, updates.recipe));
  const decided = respinDecision(respinPolicy(recipe), { updates: updates.updates, lastRelease: new Date(updates.release.createdAt), now: o.now ?? new Date() });
  const decision = o.force && !decided.due ? { ...decided, due: true, why: `forced (${decided.why})` } : decided;
  if (!decision.due || o.dryRun) return { updates, decision };
  const inFlight = await buildInFlight(svc, productId);
  if (inFlight) return { updates, decision, inFlight };
  const job = await svc.queue.enqueue('build', { v: 2, recipe: updates.recipe, product: productId, channel: 'testing', qa: 'full', publish: true });
  return { updates, decision, job };
}

/** A queued or running build job of the product (an emergency respin while the monthly one runs must not add a second). */
async function buildInFlight(svc: ReleaseServices, productId: string): Promise<Job | undefined> {
  for (const state of ['running', 'queued'] as const) {
    const jobs = await svc.queue.list({ kind: 'build', state, limit: 1000 });
    const mine = jobs.find((j) => (j.payload as { product?: string } | null)?.product === productId);
    if (mine) return mine;
  }
  return undefined;
}
