import { AppError, formatError } from '../errors.ts';
import { MAX_TIMER_MS } from './duration.ts';
import type { Job } from '../queue/queue.ts';
import { loadRecipe } from '../recipe/load.ts';
import { listProducts } from '../store/products.ts';
import { getRelease, latestReleaseHeads, type ReleaseHead } from '../store/releases.ts';
import { respinFreshness } from './respin-freshness.ts';
import { resolveCatalogueRecipe } from './catalogue.ts';
import { promoteRelease } from './release-actions.ts';
import { type RespinOptions, respinProduct } from './respin.ts';
import { respinPolicy, soakPromotionDue } from './respin-policy.ts';
import type { ReleaseServices } from './services.ts';

export const DEFAULT_RESPIN_EVERY_MS = 3_600_000;
/** A product's failure (its archive unreachable, its recipe broken) is logged at most this often. */
const ERROR_LOG_EVERY_MS = 3_600_000;

export interface RespinSchedulerOptions {
  everyMs?: number;
  /**
   * The first tick (default a minute after start, or `everyMs` when shorter): soon, because a server restarted
   * more often than the interval would otherwise never run the policy, and a security update that came while it
   * was down should not wait an hour; not at once, so a start is not slowed by reading every product's archive.
   */
  firstTickMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
  /** How archives are read (tests pass their own fetcher and verifier). */
  read?: Pick<RespinOptions, 'fetchBytes' | 'verify'>;
}

export interface TickReport {
  respun: Array<{ product: string; job: Job; dependents: string[] }>;
  promoted: Array<{ product: string; version: string }>;
  failed: Array<{ product: string; error: string }>;
}

export interface RespinScheduler {
  /** One pass now (what the timer runs); a pass already running is joined, never doubled. */
  tick(): Promise<TickReport>;
  /** Stops the timer and waits for a running pass (which stops between products). */
  stop(): Promise<void>;
}

/**
 * `herd serve`'s respin scheduler: every `everyMs`, for each product with a published release, promotes its
 * newest release when its soak is over, then applies its respin policy (respinProduct). One product's failure
 * is logged and never stops the others; passes never overlap (the next is timed from the end of the last).
 */
export function startRespinScheduler(svc: ReleaseServices, o: RespinSchedulerOptions = {}): RespinScheduler {
  // never above the longest timer Node honours (a longer one fires at once, again and again)
  const everyMs = Math.min(o.everyMs ?? DEFAULT_RESPIN_EVERY_MS, MAX_TIMER_MS);
  const log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  const now = o.now ?? (() => new Date());
  const lastLogged = new Map<string, number>();
  let stopped = false;
  let running: Promise<TickReport> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const fail = (report: TickReport, product: string, e: unknown) => {
    const error = formatError(e);
    report.failed.push({ product, error });
    const at = now().getTime();
    // a product published from a recipe outside the catalogue can never be respun: said once, not every hour
    const quiet = (e as { code?: string }).code === 'catalogue.unknown_recipe' ? Infinity : ERROR_LOG_EVERY_MS;
    if (at - (lastLogged.get(product) ?? -Infinity) < quiet) return;
    lastLogged.set(product, at);
    log(`herd serve: respin of ${product} failed (said at most once an hour): ${error}`);
  };

  const pass = async (): Promise<TickReport> => {
    const report: TickReport = { respun: [], promoted: [], failed: [] };
    const products = await listProducts(svc.store.db);
    const heads = await latestReleaseHeads(svc.store.db, products.map((p) => p.id));
    for (const p of products) {
      const head = heads.get(p.id);
      if (stopped) break;
      if (!head) continue;
      try {
        const promoted = await promoteSoaked(svc, p.recipePath ?? p.id, head, now());
        if (promoted) {
          report.promoted.push({ product: p.id, version: head.version });
          log(`herd serve: promoted ${p.id} ${head.version} to stable (${promoted})`);
        }
      } catch (e) {
        fail(report, p.id, e);
      }
      try {
        const r = await respinProduct(svc, p.id, { now: now(), ...o.read });
        if (!r.job) continue;
        const dependents = (r.dependents ?? []).filter((d) => d.job).map((d) => d.product);
        report.respun.push({ product: p.id, job: r.job, dependents });
        log(`herd serve: respin of ${p.id} queued (job ${r.job.id}): ${r.decision.why}${dependents.length ? `; with it ${dependents.join(', ')}` : ''}`);
      } catch (e) {
        fail(report, p.id, e);
      }
    }
    return report;
  };

  const tick = () => (running ??= pass().finally(() => { running = undefined; }));
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick().catch((e) => log(`herd serve: respin pass failed: ${formatError(e)}`)).finally(() => schedule(everyMs));
    }, ms);
    timer.unref();
  };
  schedule(o.firstTickMs ?? Math.min(everyMs, 60_000));
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}

/** Promotes the product's newest release to stable when its recipe's soak is over; says why, or undefined. */
async function promoteSoaked(svc: ReleaseServices, recipe: string, head: ReleaseHead, now: Date): Promise<string | undefined> {
  if (head.channel !== 'testing' || head.untested) return undefined;
  const policy = respinPolicy(loadRecipe(await resolveCatalogueRecipe(svc.recipesDir, recipe)).recipe);
  const due = soakPromotionDue(policy, head, now);
  if (!due.due) return undefined;
  // a soaked release reaches stable only while no security update is pending for it (as after-qa promotion)
  const release = await getRelease(svc.store.db, head.id);
  const fresh = await respinFreshness(svc, recipe, release?.packages ?? []);
  if (!fresh.fresh) throw new AppError('respin.not_promoted', `${head.productId} ${head.version} soaked but is not promoted: ${fresh.why}`, { kind: 'conflict', hint: 'the respin policy builds a fresh one' });
  await promoteRelease(svc, head.id, 'stable');
  return due.why;
}
