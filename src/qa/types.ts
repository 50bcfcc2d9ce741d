/** Shapes shared by the static audit, the boot tests and the reports. Persisted as report.json. */

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface Finding {
  message: string;
  /** Path inside the image, when the finding is about one file. */
  path?: string;
}

export interface CheckResult {
  /** Stable id from the QA checklist (A1…, B1…). */
  id: string;
  title: string;
  /** 'static', or the boot instance that ran it, e.g. 'boot:bios'. */
  phase: string;
  status: CheckStatus;
  findings: Finding[];
  /** Why the check was skipped or could not run. */
  reason?: string;
  durationMs: number;
}

export interface BootFigures {
  firmware: 'bios' | 'uefi';
  /** The accelerator the boot ran under (after any fallback). */
  accel: 'kvm' | 'tcg';
  /** forced by HERD_QEMU_ACCEL, chosen by the /dev/kvm probe, or TCG after a KVM guest of this run stalled. */
  accelSource: 'forced' | 'probe' | 'fallback';
  /** Set when this boot started under KVM, made no progress and was restarted under TCG; or why an earlier one was. */
  accelFallback?: { from: 'kvm'; reason: string; kvmSerialLog?: string };
  secondsToLoginPrompt?: number;
  secondsToSsh?: number;
  secondsToCloudInitDone?: number;
  /** cloud-init's own `analyze show` total, in seconds. */
  cloudInitAnalyzeTotal?: number;
  serialLog: string;
}

export interface QaReport {
  reportVersion: 1;
  image: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  results: CheckResult[];
  boots: BootFigures[];
  staticAuditMs?: number;
}

/** Optional hooks to watch a run; every one may be left out. */
export interface QaReporter {
  onPhaseStart?(phase: string): void;
  onCheck?(result: CheckResult): void;
  onProgress?(phase: string, message: string): void;
}

export type CheckOutcome = Finding[] | { skip: string };

export const isSkip = (o: CheckOutcome): o is { skip: string } => !Array.isArray(o);
