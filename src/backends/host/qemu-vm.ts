import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { AppError } from '../../errors.ts';
import { missingTool } from './run-command.ts';
import { qemuArgs, type QemuVmSpec } from './qemu-args.ts';

/** A running QEMU process. Stopped only through its own PID, never by name. */
export interface QemuVm {
  pid: number;
  spec: QemuVmSpec;
  startedAt: number;
  alive(): boolean;
  /** Resolves with the exit code when QEMU exits (for any reason). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs; safe to call more than once. */
  kill(graceMs?: number): Promise<void>;
  /** QEMU's own stderr so far (errors such as a locked disk or a bad firmware path). */
  stderr(): string;
}

const live = new Set<QemuVm>();
let hooked = false;

export interface StartOptions {
  /** The caller handles SIGINT/SIGTERM itself (e.g. `herd run` powers the guest down first). */
  ownSignals?: boolean;
}

/** Starts QEMU; the VM is also killed if this Node process exits (or is interrupted, unless ownSignals). */
export async function startVm(spec: QemuVmSpec, opts: StartOptions = {}): Promise<QemuVm> {
  // Own process group: a terminal's Ctrl-C reaches Herd, which then stops the VM by PID, not QEMU directly.
  const binary = spec.binary ?? 'qemu-system-x86_64';
  const child = spawn(binary, qemuArgs(spec), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? missingTool(binary) : e));
  });
  const vm = makeVm(child, spec, exited, () => err);
  live.add(vm);
  void exited.then(() => live.delete(vm));
  hookProcessExit(!opts.ownSignals);
  return vm;
}

function makeVm(child: ChildProcess, spec: QemuVmSpec, exited: Promise<number | null>, stderr: () => string): QemuVm {
  let done = false;
  void exited.then(() => { done = true; });
  const pid = child.pid!;
  return {
    pid,
    spec,
    startedAt: Date.now(),
    exited,
    stderr,
    alive: () => !done,
    async kill(graceMs = 5000) {
      if (done) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => { if (!done) process.kill(pid, 'SIGKILL'); }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The PID QEMU wrote; it must match the process we started (a guard against killing anything else). */
export async function pidFromFile(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Kills every VM this process started, by PID. */
export function killAllVms(): void {
  for (const vm of live) if (vm.alive()) { try { process.kill(vm.pid, 'SIGKILL'); } catch { /* already gone */ } }
}

function hookProcessExit(signals: boolean): void {
  if (!hooked) process.on('exit', killAllVms);
  if (!hooked && signals) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { killAllVms(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  }
  hooked = true;
}

/** Asks the guest to shut down through the QEMU monitor (ACPI power button). */
export function powerdown(monitorSocket: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = createConnection(monitorSocket, () => sock.end('system_powerdown\n'));
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
}

export function vmDied(vm: QemuVm, what: string): AppError {
  return new AppError('qa.vm_died', `QEMU exited while ${what}`, {
    kind: 'dependency',
    hint: 'see the serial log in the output folder; QEMU said: ' + (vm.stderr().trim().split('\n').slice(-3).join(' | ') || '(nothing)'),
  });
}
