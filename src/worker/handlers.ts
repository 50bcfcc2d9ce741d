import { join } from 'node:path';
import { z } from 'zod';
import type { Reporter } from '../engine/reporter.ts';
import type { BudgetLine } from '../engine/size-budget.ts';
import { AppError } from '../errors.ts';
import { type PublishOptions, publishRelease } from '../release/publish-release.ts';
import { RECIPE_ID, resolveCatalogueRecipe } from '../release/catalogue.ts';
import { publishToCloud } from '../release/cloud-publish.ts';
import { targetNamed } from '../release/cloud-targets.ts';
import { promoteRelease } from '../release/release-actions.ts';
import { TARGET_KINDS } from '../release/target-kinds.ts';
import { type Freshness, respinFreshness } from '../release/respin-freshness.ts';
import type { ReleaseServices } from '../release/services.ts';
import { isTemplatePayload, runTemplateBuild, TemplateBuildPayload } from '../library/template-check.ts';
import { type Channel, CHANNELS } from '../store/releases.ts';
import type { Handlers, JobContext } from './job-handler.ts';

/**
 * Job payloads are versioned (`v`) from day one; a worker refuses payload versions it does not know.
 * Version 2 of publish and build takes no server path: a build names a catalogue recipe by id, a publish
 * names a build job of this service (its output is `<buildsDir>/<job id>`).
 */
export const NoopPayload = z.object({ v: z.literal(1), sleepMs: z.number().int().min(0).max(60_000).default(0) });
export const PublishPayload = z.strictObject({
  v: z.literal(2), build: z.uuid(), product: z.string().optional(),
  channel: z.enum(CHANNELS).default('testing'), version: z.string().optional(),
});
export const BuildPayload = z.strictObject({
  v: z.literal(2), recipe: z.string().regex(RECIPE_ID), product: z.string().optional(),
  channel: z.enum(CHANNELS).default('testing'), version: z.string().optional(),
  // QA gate before publication (PRD Req #3): 'full' boots the image, 'static' only audits it; 'none'
  // publishes the release marked untested (it can never reach stable)
  qa: z.enum(['full', 'static', 'none']).default('full'),
  // false: build (and test) only; publish it later with POST /api/publish {"build": "<job id>"}
  publish: z.boolean().default(true),
  // a respin whose policy says after-qa: once published to testing with QA passed, promoted to stable at once
  promote: z.literal('stable').optional(),
  // set by the respin policy: why this build was queued; the worker checks the new image against the archive
  // before promoting it (no security update may be pending in a fresh instance of a respin)
  respin: z.strictObject({ reason: z.enum(['security', 'first-boot', 'scheduled', 'base', 'forced']), why: z.string().max(2000) }).optional(),
});
export type BuildPayload = z.infer<typeof BuildPayload>;
/** Publish a release to a cloud target the service's targets file declares (issue #12). */
export const PublishCloudPayload = z.strictObject({ v: z.literal(1), release: z.uuid(), target: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/) });

/**
 * The output folder of a build job this service ran and finished, and whether that build chose to skip
 * QA. Anything else (another kind of job, a failed or running build, one already published) is refused.
 */
export async function buildToPublish(svc: ReleaseServices, buildsDir: string, id: string): Promise<{ dir: string; build: BuildPayload }> {
  const job = await svc.queue.get(id);
  if (!job || job.kind !== 'build') {
    throw new AppError('publish.unknown_build', `no build job ${id}`, { kind: 'not_found', hint: 'start one with POST /api/products/:id/builds {"publish": false}' });
  }
  if (job.state !== 'succeeded') {
    throw new AppError('publish.build_not_done', `build job ${id} is ${job.state}`, { kind: 'conflict', hint: 'publish a build job once it has succeeded' });
  }
  if (isTemplatePayload(job.payload)) {
    throw new AppError('publish.template_build', `build job ${id} built a library template; templates are not published as releases`, { kind: 'conflict', hint: 'download its output from the job instead' });
  }
  const build = BuildPayload.safeParse(job.payload);
  if (!build.success) throw new AppError('publish.unknown_build', `job ${id} is not a build of this herd version`, { kind: 'conflict' });
  const result = job.result as { releaseId?: string } | null;
  if (result?.releaseId) {
    throw new AppError('publish.already_published', `build job ${id} was published already (release ${result.releaseId})`, { kind: 'conflict', hint: 'promote that release instead' });
  }
  return { dir: join(buildsDir, id), build: build.data };
}

function payload<S extends z.ZodType>(schema: S, ctx: JobContext): z.infer<S> {
  const parsed = schema.safeParse(ctx.job.payload);
  if (!parsed.success) {
    throw new AppError('job.bad_payload', `job ${ctx.job.id} (${ctx.job.kind}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * The build engine and the QA gate are loaded on the first build job (literal import() calls, so tsc checks them
 * and the architecture test sees the edges): a worker that only publishes or serves never loads them.
 */
const loadEngine = () => import('../engine/build-image.ts');
const loadQaGate = () => import('../qa/qa-gate.ts');

function jobReporter(ctx: JobContext): Reporter {
  return {
    onPhase: (phase, detail) => void ctx.progress({ phase, detail }),
    onStepStart: (step) => void ctx.progress({ step: step.id, stage: step.stage, status: 'running' }),
    onStepLog: (_step, line) => void ctx.log(line),
    onStepEnd: (step, r) => void ctx.progress({ step: step.id, stage: step.stage, status: r.status, seconds: r.seconds, error: r.error }),
  };
}

/**
 * A retried job publishes under the version its first attempt chose (recorded as a job event), so the
 * pending release an interrupted attempt left behind is replaced rather than duplicated.
 */
async function publishOptions(svc: ReleaseServices, ctx: JobContext, p: { product?: string; channel: Channel; version?: string }): Promise<PublishOptions> {
  const earlier = (await svc.queue.events(ctx.job.id)).find((e) => e.type === 'release-version')?.data as { version?: string } | undefined;
  return {
    product: p.product, channel: p.channel, version: p.version ?? earlier?.version,
    // the job owns its pending release: a retry of it (not another job) may take it over
    owner: `job:${ctx.job.id}`,
    onProgress: (m) => void ctx.log(m),
    onVersion: (version) => svc.queue.log(ctx.job.id, 'release-version', { version }),
  };
}

/** Build a recipe file into `outDir`, then run the QA gate; throws `size.budget_exceeded` or `qa.failed`. */
async function engineBuildAndTest(ctx: JobContext, recipePath: string, outDir: string, qa: BuildPayload['qa']): Promise<{ budget: BudgetLine[] }> {
  const { buildImage } = await loadEngine();
  const { budget } = await buildImage({ recipePath, outDir, reporter: jobReporter(ctx), signal: ctx.signal });
  if (qa !== 'none') {
    const { qaGate } = await loadQaGate();
    // the verdict is bound into manifest.json; publishRelease requires a passing one
    const { report } = await qaGate(outDir, { only: qa === 'static' ? 'static' : 'all',
      reporter: { onCheck: (c) => void ctx.log(`QA ${c.status} ${c.id} ${c.title}`) } });
    void ctx.progress({ phase: 'qa', detail: report.passed ? 'passed' : 'failed' });
    if (!report.passed) {
      throw new AppError('qa.failed', `QA failed: ${report.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id).join(', ')}`, {
        hint: `see ${outDir}/qa/report.json`,
      });
    }
  }
  return { budget };
}

/**
 * A respin's promotion once its QA-passed release is in testing. A failure is logged and returned, not thrown:
 * the release is published, and a retry of the job would only find its version taken. The store refuses an
 * untested release (it never reaches stable), so this cannot promote one.
 */
async function promoteAfterQa(svc: ReleaseServices, ctx: JobContext, r: { id: string; version: string }, to: Channel): Promise<{ promoted?: Channel; promoteError?: string }> {
  try {
    await promoteRelease(svc, r.id, to);
    void ctx.log(`promoted ${r.version} to ${to} (respin policy: after-qa)`);
    return { promoted: to };
  } catch (e) {
    void ctx.log(`not promoted to ${to}: ${(e as Error).message}`);
    return { promoteError: (e as Error).message };
  }
}

/** A respin's release against the archive now, logged; what the job result records (src/release/respin-freshness.ts). */
async function checkFreshness(svc: ReleaseServices, ctx: JobContext, recipe: string, r: { packages: Array<{ name: string; version: string; arch: string }> }): Promise<Freshness> {
  const fresh = await respinFreshness(svc, recipe, r.packages);
  void ctx.log(`freshness: ${fresh.why}`);
  return fresh;
}

export interface ReleaseHandlerOptions {
  buildsDir: string;
  /** The build engine and QA gate (default); tests of the job plumbing pass their own. */
  buildAndTest?: (recipePath: string, outDir: string, qa: BuildPayload['qa']) => Promise<{ budget: BudgetLine[] }>;
}

export function releaseHandlers(svc: ReleaseServices, o: ReleaseHandlerOptions): Handlers {
  return {
    noop: async (ctx) => {
      const p = payload(NoopPayload, ctx);
      if (p.sleepMs > 0) await new Promise((r) => { const t = setTimeout(r, p.sleepMs); ctx.signal.addEventListener('abort', () => { clearTimeout(t); r(undefined); }); });
      return { slept: p.sleepMs };
    },
    publish: async (ctx) => {
      const p = payload(PublishPayload, ctx);
      const { dir, build } = await buildToPublish(svc, o.buildsDir, p.build);
      const r = await publishRelease(svc, dir, { ...(await publishOptions(svc, ctx, p)), allowUntested: build.qa === 'none' });
      return { releaseId: r.id, product: r.productId, version: r.version, untested: r.untested };
    },
    'publish-cloud': async (ctx) => {
      const p = payload(PublishCloudPayload, ctx);
      if (!svc.targetsFile) throw new AppError('targets.none', 'this service has no targets file', { hint: 'start it with --targets FILE' });
      const target = targetNamed(svc.targetsFile, TARGET_KINDS, p.target);
      const report = await publishToCloud(svc, p.release, target, { signal: ctx.signal, log: (l) => void ctx.log(l), workDir: join(o.buildsDir, '..', 'tmp') });
      const missing = report.regions.filter((r) => r.status !== 'published');
      // a region left out fails the job, so the queue retries it: the retry resumes and backfills only what is missing
      if (missing.length) {
        throw new AppError('cloud.partial', `${report.target}: ${missing.map((r) => `${r.region} ${r.status}${r.step ? ` at ${r.step}` : ''}: ${r.error ?? ''}`).join('; ')}`, {
          kind: 'dependency', hint: 'the regions published are in the feed; a retry (or herd publish-cloud) resumes the others', details: report,
        });
      }
      return report;
    },
    build: async (ctx) => {
      const outDir = join(o.buildsDir, ctx.job.id);
      const buildAndTest = o.buildAndTest ?? ((recipePath: string, dir: string, qa: BuildPayload['qa']) => engineBuildAndTest(ctx, recipePath, dir, qa));
      if (isTemplatePayload(ctx.job.payload)) {
        // a library template: its stored text, never a path, and never published
        return runTemplateBuild(svc, ctx.job, payload(TemplateBuildPayload, ctx), outDir, (recipePath, dir) => buildAndTest(recipePath, dir, 'full'));
      }
      const p = payload(BuildPayload, ctx);
      const recipePath = await resolveCatalogueRecipe(svc.recipesDir, p.recipe);
      await buildAndTest(recipePath, outDir, p.qa);
      if (!p.publish) return { outDir, tested: p.qa !== 'none' };
      const r = await publishRelease(svc, outDir, { ...(await publishOptions(svc, ctx, p)), allowUntested: p.qa === 'none' });
      const fresh = p.respin ? await checkFreshness(svc, ctx, p.recipe, r) : undefined;
      const promoted = p.promote && r.channel !== p.promote
        ? (fresh && !fresh.fresh ? { promoteError: `not promoted: ${fresh.why}` } : await promoteAfterQa(svc, ctx, r, p.promote))
        : {};
      return { releaseId: r.id, product: r.productId, version: r.version, untested: r.untested, outDir, ...(fresh ? { fresh } : {}), ...promoted };
    },
  };
}
