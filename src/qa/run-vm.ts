import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { connect } from 'node:net';
import { stringify } from 'yaml';
import { AppError } from '../errors.ts';
import type { Firmware } from '../backends/host/qemu-args.ts';
import { chooseAccel, type AccelChoice } from '../backends/host/qemu-accel.ts';
import { launchVm, type ProgressLimits } from '../backends/host/qemu-launch.ts';
import { createOverlay } from '../backends/host/qemu-overlay.ts';
import { powerdown, type QemuVm } from '../backends/host/qemu-vm.ts';
import { makeSeedIso } from '../backends/host/seed.ts';
import { requireBootTools } from './boot/boot-tools.ts';
import { freePort } from './boot/free-port.ts';
import { sleep, within } from './boot/wait.ts';
import { detectFormat } from './image/open-image.ts';
import { OVMF_CODE, OVMF_VARS } from '../catalog/host-tools.ts';

export interface RunVmOptions {
  image: string;
  firmware: Firmware;
  publicKeyFile?: string;
  user?: string;
  port?: number;
  memoryMiB?: number;
  diskGrowGiB?: number;
  /** For tests: a fake emulator, a fake /dev/kvm probe, shorter limits on how long a KVM guest may stay silent. */
  qemuBinary?: string;
  chooseAccel?: () => Promise<AccelChoice>;
  progressLimits?: ProgressLimits;
  log(line: string): void;
}

export interface RunningVm {
  vm: QemuVm;
  sshCommand: string;
  serialLog: string;
  /** Presses the power button, waits for the guest, kills QEMU by PID if needed, removes the scratch folder. */
  stop(): Promise<void>;
}

/** Boots an image for a person: their key in a NoCloud seed, SSH on 127.0.0.1, a throwaway overlay. */
export async function runVm(o: RunVmOptions): Promise<RunningVm> {
  requireBootTools(o.firmware);
  const publicKey = await readPublicKey(o.publicKeyFile);
  const { format, virtualSize } = await detectFormat(o.image);
  const work = await mkdtemp(join(tmpdir(), 'herd-run-vm-'));
  const user = o.user ?? safeUser();
  const name = basename(dirname(resolve(o.image))).replace(/[^a-z0-9-]/gi, '-').toLowerCase() || 'herd';
  const userData = `#cloud-config\n${stringify({
    users: [{ name: user, shell: '/bin/bash', lock_passwd: true, sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: [publicKey] }],
    ssh_pwauth: false,
  })}`;
  const seedIso = await makeSeedIso(work, { userData, metaData: stringify({ 'instance-id': `iid-${Date.now()}`, 'local-hostname': name }) });
  const overlay = join(work, 'overlay.qcow2');
  await createOverlay(resolve(o.image), format, overlay, virtualSize + (o.diskGrowGiB ?? 8) * 1024 ** 3);
  const ovmfVars = join(work, 'OVMF_VARS.fd');
  if (o.firmware === 'uefi') await copyFile(OVMF_VARS, ovmfVars);
  const port = o.port ?? (await freePort());
  const serialLog = join(work, 'serial.log');
  const monitor = join(work, 'monitor.sock');
  // the same launcher as QA: under a KVM that opens but hangs the guest, it restarts the VM under TCG
  const choice = await (o.chooseAccel ?? chooseAccel)();
  o.log(`accelerator: ${choice.accel} (${choice.source}${choice.reason ? `: ${choice.reason}` : ''})`);
  const launched = await launchVm({
    binary: o.qemuBinary, disk: overlay, diskFormat: 'qcow2', seedIso, firmware: o.firmware, sshPort: port,
    serialLog, pidFile: join(work, 'qemu.pid'), monitorSocket: monitor, ovmfCode: OVMF_CODE, ovmfVars, memoryMiB: o.memoryMiB,
  }, choice, { ownSignals: true, limits: o.progressLimits });
  if (launched.fallback) o.log(`KVM made no progress (${launched.fallback.reason}); restarted under TCG`);
  const vm = launched.vm;
  const stop = async () => {
    if (vm.alive()) {
      o.log('powering the guest off…');
      await powerdown(monitor);
      await within(vm.exited, 60_000);
      await vm.kill();
    }
    await rm(work, { recursive: true, force: true });
  };
  const sshCommand = `ssh -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ${user}@127.0.0.1`;
  return { vm, sshCommand, serialLog, stop };
}

/** Resolves once something on the port speaks SSH (the banner), or false when the VM dies first. */
export async function waitForSshBanner(port: number, vm: QemuVm): Promise<boolean> {
  while (vm.alive()) {
    if (await banner(port)) return true;
    await sleep(1000);
  }
  return false;
}

function banner(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, '127.0.0.1');
    const finish = (ok: boolean) => { s.destroy(); done(ok); };
    s.setTimeout(5000, () => finish(false));
    s.on('data', (b) => finish(b.toString().startsWith('SSH-')));
    s.on('error', () => finish(false));
    s.on('end', () => finish(false));
  });
}

async function readPublicKey(file?: string): Promise<string> {
  const candidates = file ? [file] : ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'].map((f) => join(homedir(), '.ssh', f));
  for (const c of candidates) {
    const text = await readFile(c, 'utf8').catch(() => undefined);
    if (text && /^(ssh|ecdsa)-\S+ \S+/.test(text.trim())) return text.trim();
    if (text !== undefined) throw new AppError('run.bad_key', `${c} is not an SSH public key`, { hint: 'pass the .pub file, not the private key' });
  }
  throw new AppError('run.no_key', file ? `cannot read ${file}` : 'no SSH public key found in ~/.ssh', {
    hint: 'make one with `ssh-keygen -t ed25519` or pass --key PATH.pub',
  });
}

function safeUser(): string {
  const name = userInfo().username;
  return /^[a-z_][a-z0-9_-]*$/.test(name) && name !== 'root' ? name : 'herd';
}
