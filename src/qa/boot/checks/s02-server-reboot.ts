import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

/** One side of the reboot, as seen from the guest (see PROBE). */
export interface ServerBootFacts {
  bootId: string;
  hostname: string;
  staticHostname: string;
  /** cloud-init stage runs ("running 'init-local'") in /var/log/cloud-init.log: one per boot it ran. */
  cloudInitRuns: number;
  cloudInitStatus: string;
  /** `ip -4 -o addr show scope global` and `ip -4 route show default` */
  addresses: string;
  defaultRoute: string;
}

export function evaluateServerReboot(before: ServerBootFacts, after: ServerBootFacts) {
  const out = [];
  if (!after.bootId || before.bootId === after.bootId) out.push(finding('the guest did not actually reboot (same boot_id)'));
  if (after.cloudInitRuns !== before.cloudInitRuns) {
    out.push(finding(`cloud-init ran again after the reboot (${before.cloudInitRuns} runs before, ${after.cloudInitRuns} after)`, '/var/log/cloud-init.log'));
  }
  if (!/status:\s*disabled/.test(after.cloudInitStatus)) out.push(finding(`cloud-init status is not disabled after the reboot: ${after.cloudInitStatus.trim().split('\n')[0] || '(empty)'}`));
  if (!after.hostname || after.hostname !== before.hostname) out.push(finding(`hostname changed across the reboot: "${before.hostname}" -> "${after.hostname}"`));
  if (after.staticHostname !== before.hostname) out.push(finding(`static hostname is "${after.staticHostname}", not "${before.hostname}"`, '/etc/hostname'));
  if (!/inet \d/.test(after.addresses)) out.push(finding('no global IPv4 address after the reboot: the kept network configuration did not come up'));
  // the QA network (QEMU user networking, restricted) has no router, so the route is judged as kept, not as present
  if (/^default /m.test(before.defaultRoute) && !/^default /m.test(after.defaultRoute)) out.push(finding('the default route was lost across the reboot'));
  return out;
}

const PROBE = [
  'echo "boot=$(cat /proc/sys/kernel/random/boot_id)"',
  'echo "host=$(hostname)"',
  'echo "static=$(cat /etc/hostname)"',
  `echo "runs=$(sudo grep -c "running 'init-local'" /var/log/cloud-init.log 2>/dev/null || echo 0)"`,
  'echo "status=$(cloud-init status 2>&1 | tr \'\\n\' \' \')"',
  'echo "addr=$(ip -4 -o addr show scope global | tr \'\\n\' \';\')"',
  'echo "route=$(ip -4 route show default | head -n1)"',
].join('; ');

export function parseServerBoot(text: string): ServerBootFacts {
  const v = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    bootId: v('boot'), hostname: v('host'), staticHostname: v('static'), cloudInitRuns: Number(v('runs')) || 0,
    cloudInitStatus: v('status'), addresses: v('addr'), defaultRoute: v('route'),
  };
}

export const serverReboot: BootCheck = {
  id: 'S2',
  title: 'after herd-server-role and a reboot: cloud-init does not run again, hostname and network kept',
  async run(ctx) {
    if (!ctx.reboot) return { skip: 'this context cannot reboot the guest' };
    const before = parseServerBoot((await ctx.sh(PROBE, 60_000)).stdout);
    await ctx.reboot();
    // SSH answers through QEMU's port forward as soon as the address is up; a DHCP lease's default route
    // can land a moment later, so when there was one before, give it a minute before judging
    if (before.defaultRoute) await ctx.sh('for i in $(seq 1 30); do ip -4 route show default | grep -q . && break; sleep 2; done', 90_000);
    const after = parseServerBoot((await ctx.sh(PROBE, 60_000)).stdout);
    return evaluateServerReboot(before, after);
  },
};
