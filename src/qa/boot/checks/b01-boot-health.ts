import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface BootHealthFacts {
  systemState: string;
  failedUnits: string[];
  cloudInitStatus: string;
  cloudInitExit: number;
  /** errors listed in /run/cloud-init/result.json */
  cloudInitErrors: string[];
}

/**
 * The `status: ...` line of `cloud-init status --wait --long`. While it waits, cloud-init writes a dot
 * per poll with no newline, so a boot that was still running when asked answers "....status: done".
 */
export function cloudInitStatusLine(text: string): string | undefined {
  return /^\.*(status:.*)$/m.exec(text)?.[1];
}

export function evaluateBootHealth(f: BootHealthFacts) {
  const out = [];
  if (f.systemState !== 'running') out.push(finding(`systemd reports "${f.systemState}", not "running"`));
  for (const u of f.failedUnits) out.push(finding(`failed unit: ${u}`));
  const status = cloudInitStatusLine(f.cloudInitStatus);
  if (status !== 'status: done' || f.cloudInitExit !== 0) {
    const line = status ?? 'no status line';
    out.push(finding(`cloud-init did not finish cleanly (exit ${f.cloudInitExit}): ${line}`));
  }
  for (const e of f.cloudInitErrors) out.push(finding(`cloud-init error: ${e}`, '/run/cloud-init/result.json'));
  return out;
}

export const bootHealth: BootCheck = {
  id: 'B1',
  title: 'multi-user reached, no failed units, cloud-init done without errors',
  async run({ sh, cloudInitStatus }) {
    const state = await sh('timeout 120 systemctl is-system-running --wait', 150_000);
    const failed = await sh('systemctl list-units --failed --no-legend --plain --no-pager');
    const result = await sh('cat /run/cloud-init/result.json');
    return evaluateBootHealth({
      systemState: state.stdout.trim() || 'unknown',
      failedUnits: failed.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean),
      cloudInitStatus: cloudInitStatus.text,
      cloudInitExit: cloudInitStatus.code,
      cloudInitErrors: parseResultErrors(result.stdout),
    });
  },
};

export function parseResultErrors(json: string): string[] {
  try {
    const r = JSON.parse(json) as { v1?: { errors?: unknown[] } };
    return (r.v1?.errors ?? []).map(String);
  } catch {
    return ['/run/cloud-init/result.json missing or unreadable'];
  }
}
