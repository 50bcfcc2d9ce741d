import { openImage } from '../image/open-image.ts';
import { readManifest, type ImageManifest } from '../image/manifest.ts';
import type { CheckResult, QaReporter } from '../types.ts';
import { loadStaticContext, runStaticChecks } from './audit.ts';

export interface StaticAuditResult {
  results: CheckResult[];
  manifest?: ImageManifest;
  durationMs: number;
}

/** Opens the image read-only, runs every static check, and drops any temporary copy. */
export async function auditImage(path: string, reporter?: QaReporter): Promise<StaticAuditResult> {
  const started = performance.now();
  reporter?.onPhaseStart?.('static');
  const manifest = await readManifest(path);
  const image = await openImage(path);
  try {
    const ctx = await loadStaticContext(image, manifest);
    const results = await runStaticChecks(ctx, undefined, reporter);
    return { results, manifest, durationMs: Math.round(performance.now() - started) };
  } finally {
    await image.close();
  }
}
