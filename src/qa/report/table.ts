import type { BootFigures, CheckResult, QaReport } from '../types.ts';

const MARK: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'skip', error: 'ERR ' };

/** The readable pass/fail table `herd test` prints. */
export function toTable(report: QaReport): string {
  const lines = report.results.map((r) => {
    const head = `${MARK[r.status]}  ${r.id.padEnd(4)} ${r.phase.padEnd(10)} ${r.title}`;
    const why = r.status === 'skip' || r.status === 'error' ? [`        ${r.reason ?? ''}`] : [];
    const found = r.findings.slice(0, 8).map((f) => `        - ${f.path ? `${f.path}: ` : ''}${f.message}`);
    const more = r.findings.length > 8 ? [`        … and ${r.findings.length - 8} more (see report.json)`] : [];
    return [head, ...why, ...found, ...more].join('\n');
  });
  const figures = report.boots.map(formatBoot);
  const counts = (['pass', 'fail', 'error', 'skip'] as const).map((s) => `${report.results.filter((r) => r.status === s).length} ${s}`);
  const audit = report.staticAuditMs !== undefined ? [`static audit: ${(report.staticAuditMs / 1000).toFixed(1)}s`] : [];
  return [...lines, '', ...audit, ...figures, `${report.passed ? 'PASSED' : 'FAILED'}: ${counts.join(', ')}`].join('\n');
}

const fmt = (s?: number) => (s === undefined ? '–' : `${s}s`);

/** One line per boot: firmware, the accelerator it really ran under (and why), and its times. */
export function formatBoot(b: BootFigures): string {
  return `boot ${b.firmware}/${b.accel}${accelNote(b)}: login ${fmt(b.secondsToLoginPrompt)}, SSH ${fmt(b.secondsToSsh)}, ` +
    `cloud-init done ${fmt(b.secondsToCloudInitDone)}, cloud-init analyze ${fmt(b.cloudInitAnalyzeTotal)}`;
}

function accelNote(b: BootFigures): string {
  if (b.accelFallback) return ` (fell back from KVM: ${b.accelFallback.reason})`;
  return b.accelSource === 'forced' ? ' (HERD_QEMU_ACCEL)' : '';
}
