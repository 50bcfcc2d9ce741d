import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { planImage } from './build-image.ts';
import { executePlan } from './execute.ts';
import { StepCache } from './step-cache.ts';
import type { Reporter } from './reporter.ts';
import { defaultCacheDir } from './cache-dir.ts';

export interface ReproOptions { recipePath: string; outDir?: string; cacheDir?: string; reporter?: Reporter; lockFile?: string; signal?: AbortSignal }

/**
 * Builds the raw disk twice, each time from an empty step cache (only downloaded packages are shared),
 * against the same resolved archive state, and compares the sha256 of the two disks.
 */
export async function checkReproducible(opts: ReproOptions): Promise<{ identical: boolean; first: string; second: string }> {
  const { plan } = await planImage(opts.recipePath, opts.lockFile);
  const main = new StepCache(opts.cacheDir ?? defaultCacheDir());
  const disk = plan.steps.find((s) => s.stage === 'disk')!.id;
  const digests: string[] = [];
  for (const round of ['first', 'second']) {
    opts.reporter?.onPhase?.('reproducibility', `${round} build from an empty step cache`);
    const scratch = mkdtempSync(join(main.root, `.repro-${round}-`));
    try {
      const { artifacts } = await executePlan(plan, { cache: new StepCache(scratch, main.packages), targets: [disk], reporter: opts.reporter, signal: opts.signal });
      digests.push(String(artifacts.get(disk)!.meta.sha256));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { identical: digests[0] === digests[1], first: digests[0]!, second: digests[1]! };
}
