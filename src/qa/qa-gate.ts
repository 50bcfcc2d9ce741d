import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../errors.ts';
import { QA_REPORT_PATH, type QaRecord } from '../manifest/manifest-schema.ts';
import { testImage, type QaReport, type QaReporter } from './index.ts';
import { sha256File } from '../backends/fs/checksum.ts';

export interface QaGateResult { report: QaReport; image: string; record: QaRecord }

/**
 * Runs QA on a finished build folder and binds the verdict into its manifest.json (`qa`): the sha256 of
 * the disk tested, recorded in the report (`subject`) and in the manifest, and the sha256 of the report
 * itself. Publishing requires that record: the report must be present, hash to the recorded digest,
 * say passed, and be about a disk the manifest publishes.
 */
export async function qaGate(outDir: string, opts: { firmware?: 'bios' | 'uefi' | 'both'; only?: 'static' | 'all'; reporter?: QaReporter } = {}): Promise<QaGateResult> {
  // a disk first: a build with both a disk and a container image is tested booted (its OCI image: herd test image.oci.tar)
  const image = ['disk.raw', 'disk.qcow2', 'image.oci.tar'].map((f) => join(outDir, f)).find(existsSync);
  if (!image) throw new AppError('qa.no_image', `no disk.raw, disk.qcow2 or image.oci.tar in ${outDir} to test`, { hint: 'build with a raw, qcow2 or oci output' });
  // hashed before the test: boot tests run on an overlay, so the disk the verdict is about is this one
  const imageSha256 = await sha256File(image);
  const report = await testImage({ image, outDir: join(outDir, 'qa'), firmware: opts.firmware ?? 'both', only: opts.only ?? 'all', reporter: opts.reporter });
  const reportFile = join(outDir, QA_REPORT_PATH);
  const subject = { file: basename(image), sha256: imageSha256 };
  const reportText = JSON.stringify({ ...JSON.parse(await readFile(reportFile, 'utf8')), subject }, null, 2) + '\n';
  await writeAtomically(reportFile, reportText);
  const record: QaRecord = {
    passed: report.passed, scope: opts.only ?? 'all', testedAt: report.startedAt, report: QA_REPORT_PATH,
    reportSha256: createHash('sha256').update(reportText).digest('hex'), image: subject,
    failed: report.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id),
  };
  const manifestFile = join(outDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  manifest.qa = record;
  await writeAtomically(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  return { report, image, record };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}
