import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Accel } from './qemu-args.ts';

let cached: Promise<Accel> | undefined;

/**
 * KVM when /dev/kvm is usable, TCG otherwise. A /dev/kvm that opens is not enough: on some nested
 * hosts QEMU aborts at CPU reset (MSR assertion), so a short probe VM must survive a moment first.
 * HERD_QEMU_ACCEL=kvm|tcg overrides the probe.
 */
export function detectAccel(): Promise<Accel> {
  const forced = process.env.HERD_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve(forced);
  cached ??= probeKvm().then((ok) => (ok ? 'kvm' : 'tcg'));
  return cached;
}

async function probeKvm(): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const args = ['-accel', 'kvm', '-cpu', 'host', '-machine', 'q35', '-m', '64', '-nodefaults', '-display', 'none'];
    const child = spawn('qemu-system-x86_64', args, { stdio: 'ignore' });
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(true); }, 1500);
    child.on('error', () => { clearTimeout(timer); resolve(false); });
    child.on('exit', () => { clearTimeout(timer); resolve(false); });
  });
}
