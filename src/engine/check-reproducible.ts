import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { planImage } from './build-image.ts';
import { executePlan } from './execute.ts';
import { StepCache } from './step-cache.ts';
import type { Reporter } from './reporter.ts';
import { defaultCacheDir } from './cache-dir.ts';
import { sha256File } from '../backends/fs/checksum.ts';
import type { Plan } from '../plan/plan-types.ts';
import type { Stage } from '../stages/stage.ts';
import type { OutputFormat } from '../recipe/schema.ts';

export interface ReproOptions {
  recipePath: string; outDir?: string; cacheDir?: string; reporter?: Reporter; lockFile?: string; signal?: AbortSignal;
  /** Tests: a ready plan and their own stages instead of planning the recipe. */
  plan?: Plan;
  stages?: Record<string, Stage<any>>;
}

/** The verdict for one published file: the sha256 of each build's copy. */
export interface FileVerdict { file: string; format: OutputFormat; platform: string; identical: boolean; first: string; second: string }

export interface ReproResult { identical: boolean; files: FileVerdict[] }

/**
 * Builds every output of the recipe twice, each time from an empty step cache (only downloaded packages
 * are shared), against the same resolved archive state, and compares each output file byte for byte
 * (by sha256 of the file as written, not of what the step recorded about it).
 */
export async function checkReproducible(opts: ReproOptions): Promise<ReproResult> {
  const plan = opts.plan ?? (await planImage(opts.recipePath, opts.lockFile)).plan;
  const main = new StepCache(opts.cacheDir ?? defaultCacheDir());
  const targets = [...new Set(plan.outputs.map((o) => o.step))];
  const rounds: Array<Map<string, string>> = [];
  for (const round of ['first', 'second']) {
    opts.reporter?.onPhase?.('reproducibility', `${round} build from an empty step cache`);
    const scratch = mkdtempSync(join(main.root, `.repro-${round}-`));
    try {
      const { artifacts } = await executePlan(plan, {
        cache: new StepCache(scratch, main.packages), targets, reporter: opts.reporter, signal: opts.signal, stages: opts.stages,
      });
      const digests = new Map<string, string>();
      for (const o of plan.outputs) digests.set(o.file, await sha256File(join(artifacts.get(o.step)!.dir, o.file)));
      rounds.push(digests);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const files = plan.outputs.map((o): FileVerdict => {
    const first = rounds[0]!.get(o.file)!;
    const second = rounds[1]!.get(o.file)!;
    return { file: o.file, format: o.format, platform: o.platform, identical: first === second, first, second };
  });
  return { identical: files.every((f) => f.identical), files };
}
