import { realpath } from 'node:fs/promises';
import type { Job } from '../queue/queue.ts';
import { loadRecipe } from '../recipe/load.ts';
import type { InReleaseVerifier } from '../resolve/inrelease-signature.ts';
import type { BytesFetcher } from '../resolve/suite-index.ts';
import { listProducts } from '../store/products.ts';
import { latestReleaseHeads } from '../store/releases.ts';
import type { BuildPayload } from '../worker/handlers.ts';
import { resolveCatalogueRecipe } from './catalogue.ts';
import { type ProductUpdates, productUpdates } from './product-updates.ts';
import { queueRespinOnce } from './respin-guard.ts';
import { type RespinDecision, type RespinPolicy, respinDecision, respinPolicy } from './respin-policy.ts';
import type { ReleaseServices } from './services.ts';

/** A product whose recipe extends the respun one: respun with it (reason `base`), guarded the same way. */
export interface DependentRespin {
  product: string;
  reason: 'base';
  why: string;
  job?: Job;
  inFlight?: Job;
}

export interface RespinOutcome {
  updates: ProductUpdates;
  decision: RespinDecision;
  /** The build job this run enqueued (built, QA'd in full, published to testing by the worker). */
  job?: Job;
  /** A build of the product already queued or running: this run added none, so nothing is built or published twice. */
  inFlight?: Job;
  /** The product's last respin build failed a short while ago: none is queued until the back-off passes (or --force). */
  failedRecently?: Job;
  /** When the product was respun (or would be, in a dry run): the products that extend its recipe and have a published release. */
  dependents?: DependentRespin[];
}

export interface RespinOptions { dryRun?: boolean; force?: boolean; now?: Date; fetchBytes?: BytesFetcher; verify?: InReleaseVerifier }

/**
 * `herd respin PRODUCT`, and each product on each tick of `herd serve`'s scheduler: the product's policy (its
 * recipe's `respin`) applied once, now. When due (or forced) and no build of the product is already queued or
 * running, a build job is enqueued: the worker builds the recipe against the archive as it is now, runs the full
 * QA gate, publishes to testing and (promote: after-qa) promotes to stable. Then each product whose recipe extends
 * this one gets a respin too. A dry run only decides.
 */
export async function respinProduct(svc: ReleaseServices, productId: string, o: RespinOptions = {}): Promise<RespinOutcome> {
  const updates = await productUpdates(svc, productId, { fetchBytes: o.fetchBytes, verify: o.verify });
  const recipeFile = await resolveCatalogueRecipe(svc.recipesDir, updates.recipe);
  const policy = respinPolicy(loadRecipe(recipeFile).recipe);
  const decided = respinDecision(policy, { updates: updates.updates, lastRelease: new Date(updates.release.createdAt), now: o.now ?? new Date() });
  const decision = o.force && !decided.due ? { ...decided, due: true, why: `forced (${decided.why})` } : decided;
  if (!decision.due) return { updates, decision };
  const dependents = await dependentsOf(svc, productId, recipeFile);
  const why = `base ${productId} respun`;
  if (o.dryRun) return { updates, decision, dependents: dependents.map((d) => ({ product: d.product, reason: 'base', why })) };
  const mine = await queueRespinOnce(svc, productId, respinPayload(updates.recipe, productId, policy, { reason: decision.reason ?? 'forced', why: decision.why }), { force: o.force, now: o.now });
  if (mine.inFlight) return { updates, decision, inFlight: mine.inFlight };
  if (mine.failedRecently) return { updates, decision, failedRecently: mine.failedRecently };
  const respun: DependentRespin[] = [];
  for (const d of dependents) respun.push({ product: d.product, reason: 'base', why, ...(await queueRespinOnce(svc, d.product, respinPayload(d.recipe, d.product, d.policy, { reason: 'base', why }))) });
  return { updates, decision, job: mine.job, dependents: respun };
}

/**
 * A respin's build: full QA, published to testing, and promoted at once when the policy says after-qa. The
 * `respin` mark makes the worker check the new image against the archive before it promotes (src/release/respin-freshness.ts).
 */
function respinPayload(recipe: string, product: string, policy: RespinPolicy, respin: NonNullable<BuildPayload['respin']>): BuildPayload {
  return { v: 2, recipe, product, channel: 'testing', qa: 'full', publish: true, ...(policy.promote === 'after-qa' ? { promote: 'stable' as const } : {}), respin };
}

/**
 * The products with a published release whose catalogue recipe extends `recipeFile`, directly or through a chain
 * (the recipe files its `extends` chain reads). A product whose recipe does not load is left out: its own respin
 * (the scheduler's, or `herd respin`) reports why.
 */
async function dependentsOf(svc: ReleaseServices, productId: string, recipeFile: string): Promise<Array<{ product: string; recipe: string; policy: RespinPolicy }>> {
  const base = await realpath(recipeFile);
  const products = (await listProducts(svc.store.db)).filter((p) => p.id !== productId);
  const released = await latestReleaseHeads(svc.store.db, products.map((p) => p.id));
  const found = [];
  for (const p of products.filter((q) => released.has(q.id))) {
    const recipe = p.recipePath ?? p.id;
    try {
      const loaded = loadRecipe(await resolveCatalogueRecipe(svc.recipesDir, recipe));
      const parents = await Promise.all(loaded.chain.slice(1).map((f) => realpath(f).catch(() => f)));
      if (parents.includes(base)) found.push({ product: p.id, recipe, policy: respinPolicy(loaded.recipe) });
    } catch {
      continue;
    }
  }
  return found;
}
