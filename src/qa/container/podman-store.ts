import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, which, type RunResult } from '../../backends/host/run-command.ts';

/**
 * A podman with its own throw-away storage: container QA never reads or changes the host's images and
 * containers, and leaves nothing behind. The options are the ones that work on a sandboxed build host too:
 * vfs storage (no overlay mounts), cgroupfs, file events, runc where installed (crun refuses a hybrid
 * cgroup hierarchy).
 */
export interface PodmanStore {
  /** Runs `podman <global storage options> ...args`; never rejects on a non-zero exit. */
  podman(args: string[], timeoutMs?: number): Promise<RunResult>;
  dispose(): Promise<void>;
}

export async function openPodmanStore(): Promise<PodmanStore> {
  const dir = await mkdtemp(join(tmpdir(), 'herd-qa-podman-'));
  const base = ['podman', '--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...(which('runc') ? ['--runtime', 'runc'] : [])];
  return {
    podman: (args, timeoutMs = 120_000) => runCommand([...base, ...args], { allowFailure: true, captureStdout: true, timeoutMs }),
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Limits below any host's hard limit: podman's default nofile of 1048576 cannot be set where the host's is lower. */
export const CONTAINER_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
