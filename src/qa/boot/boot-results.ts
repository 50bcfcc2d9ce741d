import { isSkip, type CheckOutcome, type CheckResult, type Finding } from '../types.ts';
import type { BootContext, ShellContext } from './check.ts';
import type { Instance } from './instance.ts';
import { collectIdentity, evaluateDistinct, type IdentityFacts } from './checks/b03-identity.ts';
import { evaluateReboot, REBOOT_CHECK } from './checks/b10-reboot.ts';
import { RUNCMD_PATH } from './seed-data.ts';

export function result(id: string, title: string, phase: string, findings: Finding[], started: number): CheckResult {
  const durationMs = Math.round(performance.now() - started);
  return { id, title, phase, status: findings.length ? 'fail' : 'pass', findings, durationMs };
}

/** Runs one check; a check that throws is an 'error' result, and the other checks still run. */
export async function checkInstance<C extends ShellContext = BootContext>(check: { id: string; title: string; run(ctx: C): Promise<CheckOutcome> }, ctx: C, phase: string): Promise<CheckResult> {
  const started = performance.now();
  try {
    const outcome = await check.run(ctx);
    if (isSkip(outcome)) {
      return { id: check.id, title: check.title, phase, status: 'skip', findings: [], reason: outcome.skip, durationMs: 0 };
    }
    return result(check.id, check.title, phase, outcome, started);
  } catch (e) {
    const durationMs = Math.round(performance.now() - started);
    return { id: check.id, title: check.title, phase, status: 'error', findings: [], reason: (e as Error).message, durationMs };
  }
}

export async function rebootCheck(inst: Instance, before: IdentityFacts, phase: string): Promise<CheckResult> {
  const started = performance.now();
  try {
    const bootBefore = (await inst.sh('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    await inst.reboot();
    const bootAfter = (await inst.sh('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    const after = await collectIdentity(inst.sh);
    const lines = (await inst.sh(`sudo cat ${RUNCMD_PATH}`)).stdout.split('\n').filter(Boolean).length;
    const findings = evaluateReboot({ bootIds: [bootBefore, bootAfter], identity: [before, after], runcmdLines: lines });
    return result(REBOOT_CHECK.id, REBOOT_CHECK.title, phase, findings, started);
  } catch (e) {
    return result(REBOOT_CHECK.id, REBOOT_CHECK.title, phase, [{ message: (e as Error).message }], started);
  }
}

export function crossCheck(a: IdentityFacts, b: IdentityFacts): CheckResult {
  return result('B3', 'two instances of the image have different machine-ids and host keys', 'boot:cross', evaluateDistinct(a, b), performance.now());
}
