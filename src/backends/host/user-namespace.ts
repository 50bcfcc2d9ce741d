import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AppError } from '../../errors.ts';
import { which } from './run-command.ts';

/** Set in the re-executed process, so it does not try to enter a namespace again. */
export const IN_USER_NAMESPACE = 'HERD_IN_USER_NAMESPACE';

/**
 * How an unprivileged user builds: the whole build runs in a user namespace where the user is root and
 * their subordinate ids (/etc/subuid, /etc/subgid, mapped by newuidmap/newgidmap) are everyone else. Inside,
 * mmdebstrap, chroot, cp -a and mke2fs -d see real ownership (root-owned files, a user's home owned by 1000),
 * so the stages run unchanged; outside, root's files belong to the user and the rest to their subordinate ids.
 * A private mount and PID namespace keep the bind mounts mmdebstrap makes away from the host.
 */
export function userNamespaceArgv(argv: readonly string[]): string[] {
  return ['unshare', '--user', '--map-root-user', '--map-auto', '--mount', '--propagation', 'private', '--pid', '--fork', '--', ...argv];
}

/** What stops this user from building in a user namespace, or undefined when nothing does. */
export function userNamespaceProblem(user = userInfo().username, read = (f: string) => readFileSync(f, 'utf8')): string | undefined {
  for (const tool of ['unshare', 'newuidmap', 'newgidmap']) if (!which(tool)) return `${tool} is not installed (apt-get install ${tool === 'unshare' ? 'util-linux' : 'uidmap'})`;
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    let text = '';
    try { text = read(file); } catch { /* a missing file has no ranges */ }
    if (!text.split('\n').some((l) => l.split(':')[0] === user)) return `${file} has no range for ${user} (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user})`;
  }
  try {
    if (read('/proc/sys/kernel/unprivileged_userns_clone').trim() === '0') return 'the kernel forbids unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=0)';
  } catch { /* upstream kernels have no such switch: allowed */ }
  return undefined;
}

/**
 * Runs this same command again inside a user namespace and resolves with its exit code. Refuses with the reason
 * when the host cannot give this user one (then the build needs root).
 */
export function reexecInUserNamespace(): Promise<number> {
  const problem = userNamespaceProblem();
  if (problem) {
    throw new AppError('host.no_user_namespace', `herd build runs as root or in a user namespace, and this user cannot have one: ${problem}`, {
      kind: 'dependency', hint: 'run the build as root, or fix the host as said and retry',
    });
  }
  const [, ...args] = userNamespaceArgv([process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
  return new Promise((resolve, reject) => {
    // the same process again (its own env, its own node), so only the namespace differs
    const child = spawn(which('unshare')!, args, { stdio: 'inherit', env: { ...process.env, [IN_USER_NAMESPACE]: '1' } });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** True when this process should hand the build to a user namespace: not root, and not already inside one. */
export function needsUserNamespace(): boolean {
  return process.getuid?.() !== 0 && process.env[IN_USER_NAMESPACE] !== '1';
}
