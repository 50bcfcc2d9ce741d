import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openImage } from './image/open-image.ts';
import { needsNoCloud, readManifest, type ImageManifest } from './image/manifest.ts';
import { rootPartition } from './image/partitions.ts';
import { auditImage } from './static/audit-image.ts';
import { runBootTests, type QemuOverrides } from './boot/run-boot-tests.ts';
import { writeReports } from './report/write-reports.ts';
import { testContainerImage } from './container/test-container-image.ts';
import type { BootFigures, CheckResult, QaReport, QaReporter } from './types.ts';

export type { QaReport, QaReporter, CheckResult, BootFigures, Finding, CheckStatus } from './types.ts';
export { toTable } from './report/table.ts';

export interface TestImageOptions {
  /** disk.raw or disk.qcow2 (or image.oci.tar: container QA); manifest.json next to it is read when present. */
  image: string;
  /** Gets report.json, junit.xml and serial-<firmware>.log. */
  outDir: string;
  only?: 'static' | 'boot' | 'all';
  firmware?: 'bios' | 'uefi' | 'both';
  reporter?: QaReporter;
  /** Reboot the first instance to check first-boot semantics (B10); one more boot. Default true. */
  reboot?: boolean;
  /** Seconds to wait for SSH per boot (default 600 under TCG, 180 with KVM). */
  bootTimeoutSeconds?: number;
  /** Extra user-data merged into the test seed (lists are appended). */
  extraUserData?: Record<string, unknown>;
  /** For tests: a fake emulator, a fake accelerator probe, shorter KVM stall limits. */
  qemu?: QemuOverrides;
}

/** Static audit, then boot tests; writes the reports; `passed` is false when any check fails or errors. */
export async function testImage(opts: TestImageOptions): Promise<QaReport> {
  // an OCI container image neither has a filesystem image to audit nor boots: it runs in a container
  if (opts.image.endsWith('.oci.tar')) return testContainerImage({ image: opts.image, outDir: opts.outDir, reporter: opts.reporter });
  const startedAt = new Date();
  const t0 = performance.now();
  const image = resolve(opts.image);
  const only = opts.only ?? 'all';
  await mkdir(opts.outDir, { recursive: true });
  const results: CheckResult[] = [];
  const boots: BootFigures[] = [];
  let staticAuditMs: number | undefined;
  if (only !== 'boot') {
    const audit = await auditImage(image, opts.reporter);
    results.push(...audit.results);
    staticAuditMs = audit.durationMs;
  }
  const manifest = await readManifest(image);
  const blocked = bootBlocker(results, manifest);
  if (only !== 'static' && blocked) {
    results.push(blocked);
    opts.reporter?.onCheck?.(blocked);
  } else if (only !== 'static') {
    const b = await runBootTests({
      ...(await describeImage(image)),
      firmware: opts.firmware ?? 'both', outDir: opts.outDir, manifest,
      reporter: opts.reporter, reboot: opts.reboot ?? true, extraUserData: opts.extraUserData, qemu: opts.qemu,
      sshTimeoutMs: opts.bootTimeoutSeconds ? opts.bootTimeoutSeconds * 1000 : undefined,
    });
    results.push(...b.results);
    boots.push(...b.boots);
  }
  const report: QaReport = {
    reportVersion: 1, image, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    passed: results.length > 0 && results.every((r) => r.status === 'pass' || r.status === 'skip'),
    results, boots, staticAuditMs,
  };
  await writeReports(opts.outDir, report);
  return report;
}

/** Boot tests seed through NoCloud: an image for another cloud is audited only; one that cannot read the seed fails. */
function bootBlocker(staticResults: CheckResult[], manifest?: ImageManifest): CheckResult | undefined {
  const base = { id: 'B0', title: 'boots and accepts SSH with the launch key', phase: 'boot', findings: [], durationMs: 0 };
  if (!needsNoCloud(manifest?.platform)) {
    return { ...base, status: 'skip', reason: `a ${manifest?.platform} image need not read NoCloud: boot-test the generic output of the same build` };
  }
  const ds = staticResults.find((r) => r.id === 'A16');
  if (ds && ds.status !== 'pass') return { ...base, status: 'error', reason: 'cannot boot-test: A16 says the image cannot read a NoCloud seed' };
  return undefined;
}

async function describeImage(image: string) {
  const opened = await openImage(image);
  try {
    return { image, format: opened.format, virtualSize: opened.virtualSize, rootPartitionBytes: rootPartition(opened.table).size };
  } finally {
    await opened.close();
  }
}
