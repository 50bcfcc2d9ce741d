import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { QaReport } from '../types.ts';
import { toJUnit } from './junit.ts';

/** Writes report.json and junit.xml into outDir; returns their paths. */
export async function writeReports(outDir: string, report: QaReport): Promise<{ json: string; junit: string }> {
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, 'report.json');
  const junit = join(outDir, 'junit.xml');
  await writeFile(json, JSON.stringify(report, null, 2) + '\n');
  await writeFile(junit, toJUnit(report));
  return { json, junit };
}
