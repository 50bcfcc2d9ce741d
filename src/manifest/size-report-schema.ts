import { z } from 'zod';
import type { SizeReport } from '../engine/size-report.ts';

/**
 * size-report.json as `herd build` writes it (src/engine/size-report.ts computes it), as a schema for its
 * readers: publish checks it before storing it with the release, and the API answers with it. Beside the
 * manifest's schema for the same reason: the engine writes it, the release service and the API read it.
 */
const Count = z.object({ bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() });

export const SizeReportSchema = z.object({
  reportVersion: z.literal(1),
  total: Count,
  byDirectory: z.array(Count.extend({ path: z.string() })).describe('by top-level entry of the tree, largest first'),
  byPackage: z.array(Count.extend({ name: z.string(), installedSizeKiB: z.number().nonnegative().optional() })).describe('by installed package, largest first'),
  unpackaged: Count.describe('files no package lists (generated at build time)'),
  totals: z.object({ docs: Count, locales: Count, man: Count, info: Count, kernelModules: Count, pythonBytecode: Count }),
});

export type StoredSizeReport = z.infer<typeof SizeReportSchema>;

// The engine's interface and this schema describe one file: the build fails to type-check when they part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<SizeReport, StoredSizeReport> = true;
void sameShape;

/** Parses size-report.json text; the problems (field path and message) rather than a throw. */
export function parseSizeReportText(text: string): { ok: true; report: StoredSizeReport } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not valid JSON: ${(e as Error).message}` };
  }
  const parsed = SizeReportSchema.safeParse(raw);
  if (parsed.success) return { ok: true, report: parsed.data };
  const i = parsed.error.issues[0]!;
  return { ok: false, problem: `${i.path.join('.') || '(root)'}: ${i.message}` };
}
