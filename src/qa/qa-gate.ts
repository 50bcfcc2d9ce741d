import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testImage, type QaReport, type QaReporter } from './index.ts';

export interface QaGateResult { report: QaReport; image: string }

/**
 * Runs QA on a finished build folder and records the verdict in its manifest.json (`qa.passed`):
 * an output is marked tested only when every check passed. Publishing reads that field.
 */
export async function qaGate(outDir: string, opts: { firmware?: 'bios' | 'uefi' | 'both'; only?: 'static' | 'all'; reporter?: QaReporter } = {}): Promise<QaGateResult> {
  const image = ['disk.raw', 'disk.qcow2'].map((f) => join(outDir, f)).find(existsSync);
  if (!image) throw new Error(`no disk.raw or disk.qcow2 in ${outDir} to test`);
  const report = await testImage({ image, outDir: join(outDir, 'qa'), firmware: opts.firmware ?? 'both', only: opts.only ?? 'all', reporter: opts.reporter });
  const manifestFile = join(outDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.qa = {
    passed: report.passed, scope: opts.only ?? 'all', testedAt: report.startedAt, report: 'qa/report.json',
    failed: report.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id),
  };
  writeFileSync(`${manifestFile}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(`${manifestFile}.tmp`, manifestFile);
  return { report, image };
}
