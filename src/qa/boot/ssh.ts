import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type RunResult } from '../../backends/host/run-command.ts';
import { sleep } from './wait.ts';

export interface SshKey { privateKey: string; publicKey: string }

/** A throwaway ed25519 key for one test run; it lives only in the run's temporary folder. */
export async function makeSshKey(dir: string): Promise<SshKey> {
  const privateKey = join(dir, 'id_ed25519');
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'herd-qa', '-f', privateKey]);
  return { privateKey, publicKey: (await readFile(`${privateKey}.pub`, 'utf8')).trim() };
}

export interface SshTarget { port: number; user: string; key: SshKey }

/** ssh options for a fresh VM: no host-key memory (every instance has new keys), no prompts. */
export function sshArgs(t: SshTarget, extra: string[] = []): string[] {
  return [
    'ssh', '-p', String(t.port), '-i', t.key.privateKey,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes',
    ...extra, `${t.user}@127.0.0.1`,
  ];
}

/** Runs a shell command line in the guest. Never throws for a non-zero exit: checks read the code. */
export function sshExec(t: SshTarget, command: string, timeoutMs = 120_000): Promise<RunResult> {
  return runCommand([...sshArgs(t), '--', command], { allowFailure: true, timeoutMs });
}

/** Writes `data` to `path` in the guest through ssh's standard input. */
export function sshPut(t: SshTarget, path: string, data: Buffer, timeoutMs = 300_000): Promise<RunResult> {
  const quoted = `'${path.replace(/'/g, `'\\''`)}'`;
  return runCommand([...sshArgs(t), '--', `cat > ${quoted}`], { allowFailure: true, timeoutMs, input: data });
}

/** Polls until a trivial command succeeds over SSH or the deadline passes. */
export async function waitForSsh(t: SshTarget, deadline: number, alive: () => boolean): Promise<boolean> {
  while (Date.now() < deadline && alive()) {
    const r = await runCommand([...sshArgs(t, ['-o', 'ConnectTimeout=5']), '--', 'true'], { allowFailure: true, timeoutMs: 20_000 });
    if (r.code === 0) return true;
    await sleep(1000);
  }
  return false;
}
