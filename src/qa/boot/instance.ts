import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors.ts';
import type { Firmware } from '../../backends/host/qemu-args.ts';
import type { AccelChoice } from '../../backends/host/qemu-accel.ts';
import { launchVm, type ProgressLimits } from '../../backends/host/qemu-launch.ts';
import { createOverlay } from '../../backends/host/qemu-overlay.ts';
import { vmDied, type QemuVm } from '../../backends/host/qemu-vm.ts';
import { makeSeedIso } from '../../backends/host/seed.ts';
import { OVMF_CODE, OVMF_VARS } from '../../catalog/host-tools.ts';
import type { RunResult } from '../../backends/host/run-command.ts';
import type { BootFigures } from '../types.ts';
import { freePort } from './free-port.ts';
import { metaData, newIdentity, userData, type InstanceIdentity } from './seed-data.ts';
import { sshExec, waitForSsh, type SshKey, type SshTarget } from './ssh.ts';
import { sleep, within } from './wait.ts';

export interface InstanceOptions {
  image: string;
  imageFormat: 'raw' | 'qcow2';
  virtualSize: number;
  firmware: Firmware;
  /** Under KVM from the probe, a guest without kernel output is restarted under TCG (qemu-launch.ts). */
  accel: AccelChoice;
  /** The emulator binary (tests put a fake here) and how long a KVM guest may stay silent. */
  qemuBinary?: string;
  progressLimits?: ProgressLimits;
  /** Called once QEMU runs, with the figures object the boot fills in: a failed boot still reports its accelerator. */
  onFigures?(figures: BootFigures): void;
  /** Private scratch folder (overlay, seed, firmware vars); removed by the caller. */
  workDir: string;
  serialLog: string;
  key: SshKey;
  label: string;
  /** Bytes added to the disk before boot, so growpart has something to grow into. */
  growBytes: number;
  extraUserData?: Record<string, unknown>;
  /** Default: 180 s under KVM, 600 s under TCG (the accelerator the VM ends up with, after any fallback). */
  sshTimeoutMs?: number;
  onProgress?(message: string): void;
}

/** One booted VM of the image under test, reachable over SSH as the seed's test user. */
export interface Instance {
  identity: InstanceIdentity;
  vm: QemuVm;
  target: SshTarget;
  figures: BootFigures;
  options: InstanceOptions;
  /** `cloud-init status --wait --long` as it ended on first boot. */
  cloudInitStatus: { code: number; text: string };
  sh(command: string, timeoutMs?: number): Promise<RunResult>;
  /** Reboots the guest and waits until SSH answers from the new boot. */
  reboot(): Promise<void>;
  /** Powers the guest off; kills QEMU by its PID if it does not exit in time. */
  stop(): Promise<void>;
}

export async function bootInstance(o: InstanceOptions): Promise<Instance> {
  await mkdir(o.workDir, { recursive: true });
  const identity = newIdentity(o.label, o.key.publicKey);
  const seedIso = await makeSeedIso(o.workDir, { userData: userData(identity, o.extraUserData), metaData: metaData(identity) });
  const overlay = join(o.workDir, 'overlay.qcow2');
  await createOverlay(o.image, o.imageFormat, overlay, o.virtualSize + o.growBytes);
  const ovmfVars = join(o.workDir, 'OVMF_VARS.fd');
  if (o.firmware === 'uefi') await copyFile(OVMF_VARS, ovmfVars);
  const port = await freePort();
  const launched = await launchVm({
    binary: o.qemuBinary, disk: overlay, diskFormat: 'qcow2', seedIso, firmware: o.firmware, sshPort: port,
    serialLog: o.serialLog, pidFile: join(o.workDir, 'qemu.pid'), ovmfCode: OVMF_CODE, ovmfVars,
  }, o.accel, { limits: o.progressLimits });
  const vm = launched.vm;
  const sshTimeoutMs = o.sshTimeoutMs ?? (launched.accel === 'kvm' ? 180_000 : 600_000);
  const target: SshTarget = { port, user: identity.user, key: o.key };
  const figures: BootFigures = {
    firmware: o.firmware, accel: launched.accel, accelSource: launched.fallback ? 'fallback' : o.accel.source, serialLog: o.serialLog,
  };
  if (launched.fallback) figures.accelFallback = launched.fallback;
  else if (o.accel.reason) figures.accelFallback = { from: 'kvm', reason: o.accel.reason };
  o.onFigures?.(figures);
  if (launched.fallback) o.onProgress?.(`${o.label}: KVM made no progress (${launched.fallback.reason}); restarted under TCG`);
  const sh = (cmd: string, t?: number) => sshExec(target, cmd, t);
  let cloudInitStatus: Instance['cloudInitStatus'];
  try {
    cloudInitStatus = await waitForBoot(vm, target, figures, { ...o, sshTimeoutMs });
  } catch (e) {
    await vm.kill();
    throw e;
  }
  return {
    identity, vm, target, figures, options: o, sh, cloudInitStatus,
    reboot: () => rebootGuest(vm, sh, target, sshTimeoutMs),
    stop: () => stopGuest(vm, sh),
  };
}

type Timed = InstanceOptions & { sshTimeoutMs: number };

async function waitForBoot(vm: QemuVm, target: SshTarget, figures: BootFigures, o: Timed): Promise<Instance['cloudInitStatus']> {
  const t0 = vm.startedAt;
  const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
  const watchLogin = setInterval(async () => {
    if (figures.secondsToLoginPrompt !== undefined) return;
    const log = await readFile(o.serialLog, 'utf8').catch(() => '');
    if (/login:/.test(log)) figures.secondsToLoginPrompt = seconds();
  }, 500);
  try {
    o.onProgress?.(`booting ${o.label} (${o.firmware}, ${figures.accel}) with SSH on 127.0.0.1:${target.port}`);
    const ok = await waitForSsh(target, t0 + o.sshTimeoutMs, () => vm.alive());
    if (!vm.alive()) throw vmDied(vm, `booting ${o.label}`);
    if (!ok) throw bootTimeout(o, 'SSH to answer with the seed key');
    figures.secondsToSsh = seconds();
    o.onProgress?.(`${o.label}: SSH after ${figures.secondsToSsh}s, waiting for cloud-init`);
    const status = await acrossSshRestarts(vm, target, 'cloud-init status --wait --long', t0 + o.sshTimeoutMs);
    figures.secondsToCloudInitDone = seconds();
    const analyze = await sshExec(target, 'sudo cloud-init analyze show 2>/dev/null | tail -n 5');
    figures.cloudInitAnalyzeTotal = parseAnalyzeTotal(analyze.stdout);
    return { code: status.code, text: status.stdout.trim() };
  } finally {
    clearInterval(watchLogin);
  }
}

/**
 * cloud-init restarts sshd during first boot (its ssh_pwauth handling rewrites sshd_config), so a command
 * sent just after SSH first answered can lose its connection: ssh exits 255. Wait for SSH again and resend,
 * until the boot deadline. Any other exit code is the command's own answer.
 */
async function acrossSshRestarts(vm: QemuVm, target: SshTarget, command: string, deadline: number) {
  for (;;) {
    const r = await sshExec(target, command, Math.max(deadline - Date.now(), 1000));
    if (r.code !== 255 || Date.now() >= deadline || !vm.alive()) return r;
    await sleep(2000);
    await waitForSsh(target, deadline, () => vm.alive());
  }
}

/** `cloud-init analyze show` ends with "Total Time: 13.70000 seconds" per boot; the first is this boot. */
export function parseAnalyzeTotal(text: string): number | undefined {
  const m = /Total Time:\s*([\d.]+)\s*seconds/.exec(text);
  return m ? Math.round(Number(m[1]) * 10) / 10 : undefined;
}

async function rebootGuest(vm: QemuVm, sh: Instance['sh'], target: SshTarget, timeoutMs: number): Promise<void> {
  const before = (await sh('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
  await sh('sudo systemctl reboot', 15_000);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && vm.alive()) {
    await sleep(3000);
    if (!(await waitForSsh(target, Math.min(deadline, Date.now() + 30_000), () => vm.alive()))) continue;
    const now = (await sh('cat /proc/sys/kernel/random/boot_id', 20_000)).stdout.trim();
    if (now && now !== before) {
      await sh('cloud-init status --wait >/dev/null 2>&1; true', timeoutMs);
      return;
    }
  }
  if (!vm.alive()) throw vmDied(vm, 'rebooting');
  throw new AppError('qa.reboot_timeout', 'the guest did not come back over SSH after a reboot', {
    kind: 'user', hint: `see the serial log ${vm.spec.serialLog}`,
  });
}

async function stopGuest(vm: QemuVm, sh: Instance['sh']): Promise<void> {
  if (!vm.alive()) return;
  await sh('sudo systemctl poweroff', 15_000);
  await within(vm.exited, 60_000);
  await vm.kill();
}

function bootTimeout(o: Timed, what: string): AppError {
  const who = o.label === o.firmware ? o.firmware : `${o.label} (${o.firmware})`;
  return new AppError('qa.boot_timeout', `${who}: gave up after ${o.sshTimeoutMs / 1000}s waiting for ${what}`, {
    kind: 'user',
    hint: `read the serial console log ${o.serialLog}; under software emulation raise --boot-timeout`,
  });
}
