import { finding } from '../check.ts';
import type { IdentityFacts } from './b03-identity.ts';

export interface RebootFacts {
  bootIds: [string, string];
  identity: [IdentityFacts, IdentityFacts];
  /** Lines the per-instance runcmd appended, after the reboot. */
  runcmdLines: number;
}

export const REBOOT_CHECK = { id: 'B10', title: 'a reboot is not a first boot (per-instance modules do not run again)' };

export function evaluateReboot(f: RebootFacts) {
  const [a, b] = f.identity;
  const out = [];
  if (f.bootIds[0] === f.bootIds[1]) out.push(finding('the guest did not actually reboot (same boot_id)'));
  if (f.runcmdLines !== 1) out.push(finding(`per-instance runcmd ran ${f.runcmdLines} times over two boots`));
  if (a.machineId !== b.machineId) out.push(finding('machine-id changed across a reboot'));
  if (a.hostKeys.join() !== b.hostKeys.join()) out.push(finding('SSH host keys changed across a reboot'));
  return out;
}
