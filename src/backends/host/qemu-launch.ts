import { readFile, rename } from 'node:fs/promises';
import type { Accel, QemuVmSpec } from './qemu-args.ts';
import { kvmStalled, type AccelChoice } from './qemu-accel.ts';
import { startVm, type QemuVm, type StartOptions } from './qemu-vm.ts';

/** How long a KVM guest may stay silent before it counts as stalled. */
export interface ProgressLimits {
  /** From QEMU's start to the first byte on the serial console (GRUB's output). */
  firstOutputMs: number;
  /** From the first serial output to the first line the kernel or later stages print. */
  kernelMs: number;
}

/** Under KVM, GRUB prints within a second and the kernel a few seconds later; TCG is never watched. */
export const DEFAULT_PROGRESS: ProgressLimits = { firstOutputMs: 30_000, kernelMs: 20_000 };

/** A kernel printk line ("[    0.000000] Linux version"), or anything systemd or a getty prints later. */
const GUEST_PROGRESS = /\[\s*\d+\.\d{3,}\]|Linux version|Welcome to|systemd\[1\]|login:/;

export interface LaunchedVm {
  vm: QemuVm;
  /** The accelerator the running VM uses. */
  accel: Accel;
  /** Set when KVM was tried first and the guest stalled: what happened, for every report. */
  fallback?: { from: 'kvm'; reason: string; kvmSerialLog: string };
}

/**
 * Starts a VM under the chosen accelerator. Under KVM chosen by the probe it watches real guest progress
 * on the serial console: a host whose /dev/kvm opens can still hang the guest right after GRUB. Then
 * the KVM VM is killed (by PID), its serial log kept beside the new one, and the VM started again under TCG.
 */
export async function launchVm(spec: Omit<QemuVmSpec, 'accel'>, choice: AccelChoice,
  opts: StartOptions & { limits?: ProgressLimits } = {}): Promise<LaunchedVm> {
  const vm = await startVm({ ...spec, accel: choice.accel }, opts);
  if (choice.accel !== 'kvm' || choice.source !== 'probe') return { vm, accel: choice.accel };
  const stall = await watchProgress(vm, spec.serialLog, opts.limits ?? DEFAULT_PROGRESS);
  if (!stall) return { vm, accel: 'kvm' };
  await vm.kill(1000);
  kvmStalled(stall);
  const kvmSerialLog = spec.serialLog.replace(/(\.log)?$/, '.kvm$1');
  await rename(spec.serialLog, kvmSerialLog).catch(() => undefined);
  const again = await startVm({ ...spec, accel: 'tcg' }, opts);
  return { vm: again, accel: 'tcg', fallback: { from: 'kvm', reason: stall, kvmSerialLog } };
}

/** Resolves undefined once the guest shows progress (or QEMU exits: its caller reports that), else why it stalled. */
export async function watchProgress(vm: QemuVm, serialLog: string, limits: ProgressLimits): Promise<string | undefined> {
  let firstOutputAt: number | undefined;
  for (;;) {
    if (!vm.alive()) return undefined;
    const log = await readFile(serialLog, 'latin1').catch(() => '');
    if (GUEST_PROGRESS.test(log)) return undefined;
    const now = Date.now();
    if (log.length > 0) firstOutputAt ??= now;
    if (firstOutputAt === undefined && now - vm.startedAt > limits.firstOutputMs) {
      return `no output on the serial console ${limits.firstOutputMs / 1000}s after QEMU started under KVM`;
    }
    if (firstOutputAt !== undefined && now - firstOutputAt > limits.kernelMs) {
      const last = log.trim().split('\n').pop()?.trim().slice(0, 80) ?? '';
      return `no kernel output ${limits.kernelMs / 1000}s after the boot loader's first output under KVM (last line: "${last}")`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
