import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Accel } from './qemu-args.ts';

/** Which accelerator to start a VM with, and why. */
export interface AccelChoice {
  accel: Accel;
  /**
   * forced: HERD_QEMU_ACCEL said so (no fallback); probe: /dev/kvm passed the probe, so a guest that makes no
   * progress under KVM is retried under TCG; fallback: an earlier guest of this process stalled under KVM.
   */
  source: 'forced' | 'probe' | 'fallback';
  /** Why KVM was given up, when source is 'fallback'. */
  reason?: string;
}

let cached: Promise<AccelChoice> | undefined;

/**
 * KVM when /dev/kvm is usable, TCG otherwise. A /dev/kvm that opens is not enough: on some nested hosts
 * QEMU aborts at CPU reset (the short probe VM catches that), and on others the guest hangs right after
 * GRUB without QEMU failing at all (the boot launcher watches the serial console for that, see
 * qemu-launch.ts, and calls kvmStalled). HERD_QEMU_ACCEL=kvm|tcg overrides both.
 */
export function chooseAccel(): Promise<AccelChoice> {
  const forced = process.env.HERD_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve({ accel: forced, source: 'forced' });
  cached ??= probeKvm().then((ok): AccelChoice => ({ accel: ok ? 'kvm' : 'tcg', source: 'probe' }));
  return cached;
}

export async function detectAccel(): Promise<Accel> {
  return (await chooseAccel()).accel;
}

/** A guest stalled under KVM: every later VM of this process starts under TCG straight away. */
export function kvmStalled(reason: string): void {
  cached = Promise.resolve({ accel: 'tcg', source: 'fallback', reason });
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
