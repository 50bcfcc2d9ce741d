import { join } from 'node:path';
import { AppError } from '../errors.ts';
import type { RecipeIssue } from '../recipe/issues.ts';
import { formatMiB } from '../recipe/size.ts';
import { budgetsOf, type CatalogueEntry } from './catalogue-entries.ts';

/** One image of a catalogue run (`herd build --all`, `herd test --all`). */
export interface RunTarget {
  id: string;
  recipePath: string;
  budgetQcow2?: number;
  /** Lint or catalogue problems: the image is reported failed without building it. */
  problems: RecipeIssue[];
}

export interface BuildOutcome { qcow2Bytes?: number }
export interface TestOutcome { passed: boolean; pass: number; fail: number; qcow2Bytes?: number }

export interface RunOptions {
  /** Each image goes to `<outRoot>/<id>/`. */
  outRoot: string;
  /** Builds one image (throws on failure); absent for `herd test --all`. */
  build?: (t: RunTarget, outDir: string) => Promise<BuildOutcome>;
  /** Tests one built image (throws when it cannot test; a failing QA is `passed: false`); absent for a build without --test. */
  test?: (t: RunTarget, outDir: string) => Promise<TestOutcome>;
  /** Told before each image starts and after it ends, for progress output. */
  onStart?: (t: RunTarget, index: number, count: number) => void;
  onEnd?: (row: RunRow) => void;
  /** Stops the run between images (Ctrl-C): the images not started are reported as not run. */
  signal?: AbortSignal;
}

export interface RunRow {
  id: string;
  result: 'ok' | 'failed' | 'not run';
  /** Where a failed image failed. */
  failedAt?: 'lint' | 'build' | 'test';
  error?: string;
  seconds: number;
  qcow2Bytes?: number;
  budgetQcow2?: number;
  qa?: { pass: number; fail: number };
}

/** The images of the catalogue to run, in catalogue order; `only` names ids and refuses ids the catalogue lacks. */
export function selectTargets(entries: CatalogueEntry[], only?: string[]): RunTarget[] {
  if (only) {
    const unknown = only.filter((id) => !entries.some((e) => e.id === id));
    if (unknown.length) {
      throw new AppError('catalog.unknown_id', `not in the catalogue: ${unknown.join(', ')}`, { hint: `catalogue ids: ${entries.map((e) => e.id).join(', ')}` });
    }
  }
  return entries.filter((e) => !only || only.includes(e.id)).map((e) => {
    const budget = budgetsOf(e.recipe).qcow2;
    return { id: e.id, recipePath: e.file, problems: e.problems, ...(budget ? { budgetQcow2: budget } : {}) };
  });
}

/**
 * Builds and/or tests every target, one after the other, each into its own folder. A failure of one image
 * is recorded in its row and the run goes on to the next: one broken recipe never hides the state of the others.
 */
export async function runCatalogue(targets: RunTarget[], o: RunOptions): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const [i, t] of targets.entries()) {
    if (o.signal?.aborted) {
      rows.push({ id: t.id, result: 'not run', error: 'interrupted', seconds: 0, ...budget(t) });
      continue;
    }
    o.onStart?.(t, i, targets.length);
    const row = await runOne(t, o);
    rows.push(row);
    o.onEnd?.(row);
  }
  return rows;
}

async function runOne(t: RunTarget, o: RunOptions): Promise<RunRow> {
  const t0 = performance.now();
  const row: RunRow = { id: t.id, result: 'ok', seconds: 0, ...budget(t) };
  const done = (r: Partial<RunRow> = {}) => ({ ...row, ...r, seconds: Math.round((performance.now() - t0) / 100) / 10 });
  if (t.problems.length) {
    const p = t.problems[0]!;
    return done({ result: 'failed', failedAt: 'lint', error: `${p.file}:${p.line}:${p.column}: ${p.message}${t.problems.length > 1 ? ` (and ${t.problems.length - 1} more)` : ''}` });
  }
  const outDir = join(o.outRoot, t.id);
  if (o.build) {
    try {
      const b = await o.build(t, outDir);
      if (b.qcow2Bytes !== undefined) row.qcow2Bytes = b.qcow2Bytes;
    } catch (e) {
      return done({ result: 'failed', failedAt: 'build', error: firstLine(e) });
    }
  }
  if (o.test) {
    try {
      const q = await o.test(t, outDir);
      if (q.qcow2Bytes !== undefined) row.qcow2Bytes ??= q.qcow2Bytes;
      row.qa = { pass: q.pass, fail: q.fail };
      if (!q.passed) return done({ result: 'failed', failedAt: 'test', error: `QA failed (${q.fail} check${q.fail === 1 ? '' : 's'})` });
    } catch (e) {
      return done({ result: 'failed', failedAt: 'test', error: firstLine(e) });
    }
  }
  return done();
}

const budget = (t: RunTarget) => (t.budgetQcow2 ? { budgetQcow2: t.budgetQcow2 } : {});
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

/** The summary table printed after a run. */
export function formatRunSummary(rows: RunRow[]): string {
  const head = ['id', 'result', 'seconds', 'qcow2 / budget', 'QA pass/fail', 'error'];
  const body = rows.map((r) => [
    r.id,
    r.result === 'failed' ? `FAILED (${r.failedAt})` : r.result,
    r.seconds.toFixed(1),
    r.qcow2Bytes === undefined ? '' : `${formatMiB(r.qcow2Bytes)}${r.budgetQcow2 ? ` / ${formatMiB(r.budgetQcow2)}${r.qcow2Bytes > r.budgetQcow2 ? ' OVER' : ''}` : ''}`,
    r.qa ? `${r.qa.pass}/${r.qa.fail}` : '',
    r.error ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const failed = rows.filter((r) => r.result !== 'ok').length;
  return [line(head), ...body.map(line), `${rows.length - failed} of ${rows.length} ok${failed ? `, ${failed} failed or not run` : ''}`].join('\n');
}
