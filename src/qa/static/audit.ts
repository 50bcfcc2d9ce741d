import { openRootFs } from '../image/ext4-reader.ts';
import { listEsp } from '../image/esp-reader.ts';
import { rootPartition } from '../image/partitions.ts';
import type { OpenImage } from '../image/open-image.ts';
import type { ImageManifest } from '../image/manifest.ts';
import { isSkip, type CheckResult, type QaReporter } from '../types.ts';
import type { StaticCheck, StaticContext } from './context.ts';
import { staticChecks } from './checks/index.ts';

export async function loadStaticContext(image: OpenImage, manifest?: ImageManifest): Promise<StaticContext> {
  const root = rootPartition(image.table);
  const fs = await openRootFs(image.rawPath, root.offset);
  const esp = image.table.partitions.find((p) => p.role === 'esp');
  return {
    fs,
    index: fs.index,
    table: image.table,
    esp: esp ? await listEsp(image.rawPath, esp.offset) : undefined,
    manifest,
    virtualSize: image.virtualSize,
  };
}

/** Runs every static check; a check that throws is reported as 'error', never hides the others. */
export async function runStaticChecks(
  ctx: StaticContext,
  checks: readonly StaticCheck[] = staticChecks,
  reporter?: QaReporter,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    const base = { id: check.id, title: check.title, phase: 'static' };
    let result: CheckResult;
    try {
      const outcome = await check.run(ctx);
      const durationMs = Math.round(performance.now() - started);
      result = isSkip(outcome)
        ? { ...base, status: 'skip', findings: [], reason: outcome.skip, durationMs }
        : { ...base, status: outcome.length ? 'fail' : 'pass', findings: outcome, durationMs };
    } catch (e) {
      const durationMs = Math.round(performance.now() - started);
      result = { ...base, status: 'error', findings: [], reason: (e as Error).message, durationMs };
    }
    results.push(result);
    reporter?.onCheck?.(result);
  }
  return results;
}
