import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { parseFields } from '../probe-fields.ts';

export interface AppArmorFacts {
  /** /sys/module/apparmor/parameters/enabled: "Y" when the kernel enforces AppArmor. */
  enabled: string;
  /** /sys/kernel/security/lsm: the active security modules, comma separated. */
  lsm: string;
  service: string;
  /** /sys/kernel/security/apparmor/profiles, one "name (mode)" a line. */
  profiles: string[];
}

export function evaluateAppArmor(f: AppArmorFacts) {
  const out = [];
  if (f.enabled !== 'Y') out.push(finding(`AppArmor is not enabled in the kernel (parameters/enabled: ${f.enabled || 'missing'})`));
  if (!f.lsm.split(',').includes('apparmor')) out.push(finding(`apparmor is not an active LSM (${f.lsm || 'no /sys/kernel/security/lsm'})`));
  if (f.service !== 'active') out.push(finding(`apparmor.service did not load the profiles (systemctl is-active: ${f.service || 'no answer'})`));
  const docker = f.profiles.find((p) => p.startsWith('docker-default '));
  if (!docker) out.push(finding(`the docker-default profile is not loaded (${f.profiles.length} profiles loaded)`));
  else if (docker !== 'docker-default (enforce)') out.push(finding(`docker-default is loaded but not enforced: ${docker}`));
  return out;
}

const PROBE = [
  'echo "ENABLED=$(cat /sys/module/apparmor/parameters/enabled 2>&1)"',
  'echo "LSM=$(cat /sys/kernel/security/lsm 2>&1)"',
  'echo "SERVICE=$(systemctl is-active apparmor.service 2>&1)"',
  'sudo cat /sys/kernel/security/apparmor/profiles 2>/dev/null | sed "s/^/PROFILE /"',
].join('; ');

export const appArmor: BootCheck = {
  id: 'C2',
  title: "AppArmor is enabled and Docker's docker-default profile is loaded in enforce mode",
  async run({ sh }) {
    const r = await sh(PROBE);
    const f = parseFields(r.stdout);
    const profiles = r.stdout.split('\n').filter((l) => l.startsWith('PROFILE ')).map((l) => l.slice(8).trim());
    return evaluateAppArmor({ enabled: f.ENABLED ?? '', lsm: f.LSM ?? '', service: f.SERVICE ?? '', profiles });
  },
};
