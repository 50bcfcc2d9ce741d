import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildImage } from '../../engine/build-image.ts';
import type { OutputFormat } from '../../recipe/schema.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { AppError } from '../../errors.ts';
import { qaGate } from '../../qa/qa-gate.ts';
import { DEFAULT_RECIPES_DIR } from '../../release/catalogue.ts';
import { readCatalogue } from '../../release/catalogue-entries.ts';
import { formatRunSummary, runCatalogue, selectTargets, type RunOptions, type TestOutcome } from '../../release/catalogue-run.ts';
import { jsonReporter, plainReporter } from '../reporters/plain-reporter.ts';

export interface CatalogueRunFlags {
  recipes?: string;
  only?: string;
  json?: boolean;
  verbose?: boolean;
  cache?: string;
  imageVersion?: string;
  firmware: 'bios' | 'uefi' | 'both';
  qaOnly?: 'static' | 'all';
  /** --formats: each image builds those of these it writes (all of its own when none). */
  formats?: OutputFormat[];
}

/** `herd build --all [--test]` and `herd test --all`: every catalogue image, one after the other, then a summary table. */
export async function runCatalogueCommand(mode: { build: boolean; test: boolean }, outRoot: string, f: CatalogueRunFlags): Promise<void> {
  const entries = await readCatalogue(f.recipes ?? DEFAULT_RECIPES_DIR);
  const only = f.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const targets = selectTargets(entries, only);
  if (!targets.length) throw new AppError('catalog.empty', 'the catalogue holds no recipes', { hint: 'pass --recipes DIR, a folder of <id>.yaml recipes' });
  const say = (s: string) => process.stdout.write(f.json ? JSON.stringify({ event: 'catalogue', message: s }) + '\n' : s + '\n');
  const reporter: Reporter = f.json ? jsonReporter((s) => process.stdout.write(s)) : plainReporter((s) => process.stdout.write(s), f.verbose);
  const ac = new AbortController();
  const onSignal = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const opts: RunOptions = {
    outRoot: resolve(outRoot),
    signal: ac.signal,
    onStart: (t, i, n) => say(`\n=== [${i + 1}/${n}] ${t.id}: ${[mode.build && 'build', mode.test && 'test'].filter(Boolean).join(' + ')} → ${join(resolve(outRoot), t.id)}`),
    onEnd: (r) => say(`=== ${r.id}: ${r.result}${r.failedAt ? ` at ${r.failedAt}` : ''}${r.error ? `: ${r.error}` : ''}`),
    ...(mode.build ? {
      build: async (t, outDir) => {
        const r = await buildImage({
          recipePath: t.recipePath, outDir, cacheDir: f.cache, reporter, imageVersion: f.imageVersion, signal: ac.signal,
          ...(f.formats ? { formats: { only: f.formats, mode: 'lenient' as const } } : {}),
        });
        return { qcow2Bytes: r.manifest.outputs.find((o) => o.format === 'qcow2')?.size };
      },
    } : {}),
    ...(mode.test ? {
      test: async (_t, outDir): Promise<TestOutcome> => {
        const { report } = await qaGate(outDir, {
          firmware: f.firmware, only: f.qaOnly ?? 'all',
          reporter: { onCheck: (c) => { if (!f.json) process.stdout.write(`  ${c.status.toUpperCase().padEnd(5)} ${c.id} ${c.title}\n`); } },
        });
        const count = (...s: string[]) => report.results.filter((c) => s.includes(c.status)).length;
        return { passed: report.passed, pass: count('pass'), fail: count('fail', 'error'), qcow2Bytes: mode.build ? undefined : await builtQcow2(outDir) };
      },
    } : {}),
  };
  let rows;
  try {
    rows = await runCatalogue(targets, opts);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  if (f.json) process.stdout.write(JSON.stringify({ event: 'summary', rows }) + '\n');
  else process.stdout.write(`\n${formatRunSummary(rows)}\n`);
  const failed = rows.filter((r) => r.result !== 'ok');
  if (failed.length) {
    throw new AppError('catalog.run_failed', `${failed.length} of ${rows.length} catalogue images failed: ${failed.map((r) => r.id).join(', ')}`, {
      hint: `each image's build.log and qa/ report are in ${resolve(outRoot)}/<id>/; rerun one with ${mode.build ? '--only' : '--ids'} ID`,
    });
  }
}

async function builtQcow2(outDir: string): Promise<number | undefined> {
  try {
    const m = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));
    const size = m.outputs?.find((o: { format?: string }) => o.format === 'qcow2')?.size;
    return typeof size === 'number' ? size : undefined;
  } catch {
    return undefined;
  }
}
