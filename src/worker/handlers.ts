import { join } from 'node:path';
import { z } from 'zod';
import type { Reporter } from '../engine/reporter.ts';
import { AppError } from '../errors.ts';
import { type PublishOptions, publishRelease } from '../release/publish-release.ts';
import type { ReleaseServices } from '../release/services.ts';
import { type Channel, CHANNELS } from '../store/releases.ts';
import type { Handlers, JobContext } from './job-handler.ts';

/** Job payloads are versioned (`v`) from day one; a worker refuses payload versions it does not know. */
export const NoopPayload = z.object({ v: z.literal(1), sleepMs: z.number().int().min(0).max(60_000).default(0) });
export const PublishPayload = z.object({
  v: z.literal(1), dir: z.string().min(1), product: z.string().optional(),
  channel: z.enum(CHANNELS).default('testing'), version: z.string().optional(),
});
export const BuildPayload = z.object({
  v: z.literal(1), recipePath: z.string().min(1), product: z.string().optional(),
  channel: z.enum(CHANNELS).default('testing'), version: z.string().optional(),
  // QA gate before publication (PRD Req #3): 'full' boots the image, 'static' only audits it
  qa: z.enum(['full', 'static', 'none']).default('full'),
});

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
    onProgress: (m) => void ctx.log(m),
    onVersion: (version) => svc.queue.log(ctx.job.id, 'release-version', { version }),
  };
}

export function releaseHandlers(svc: ReleaseServices, o: { buildsDir: string }): Handlers {
  return {
    noop: async (ctx) => {
      const p = payload(NoopPayload, ctx);
      if (p.sleepMs > 0) await new Promise((r) => { const t = setTimeout(r, p.sleepMs); ctx.signal.addEventListener('abort', () => { clearTimeout(t); r(undefined); }); });
      return { slept: p.sleepMs };
    },
    publish: async (ctx) => {
      const p = payload(PublishPayload, ctx);
      const r = await publishRelease(svc, p.dir, await publishOptions(svc, ctx, p));
      return { releaseId: r.id, product: r.productId, version: r.version };
    },
    build: async (ctx) => {
      const p = payload(BuildPayload, ctx);
      const outDir = join(o.buildsDir, ctx.job.id);
      const { buildImage } = await loadEngine();
      await buildImage({ recipePath: p.recipePath, outDir, reporter: jobReporter(ctx), signal: ctx.signal });
      if (p.qa !== 'none') {
        const { qaGate } = await loadQaGate();
        // a failed QA is recorded in manifest.json, and publishRelease then refuses the build
        const { report } = await qaGate(outDir, { only: p.qa === 'static' ? 'static' : 'all',
          reporter: { onCheck: (c) => void ctx.log(`QA ${c.status} ${c.id} ${c.title}`) } });
        void ctx.progress({ phase: 'qa', detail: report.passed ? 'passed' : 'failed' });
      }
      const r = await publishRelease(svc, outDir, await publishOptions(svc, ctx, p));
      return { releaseId: r.id, product: r.productId, version: r.version, outDir };
    },
  };
}
