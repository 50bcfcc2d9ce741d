import type { ImageManifest } from '../image/manifest.ts';
import type { RunResult } from '../../backends/host/run-command.ts';
import type { CheckOutcome } from '../types.ts';
import type { InstanceIdentity } from './seed-data.ts';

/**
 * What a check needs that runs as well in a container as in a booted VM (the stack suite's L1 and L2):
 * a shell in the instance and the image's manifest. Container QA (src/qa/container/) offers only this.
 */
export interface ShellContext {
  /** Runs a bash script in the instance (as the test user in a VM, as root in a container). */
  sh(command: string, timeoutMs?: number): Promise<RunResult>;
  manifest?: ImageManifest;
}

/** A check that only needs a shell, so it also runs against the OCI image of the same recipe. */
export interface ShellCheck {
  id: string;
  title: string;
  run(ctx: ShellContext): Promise<CheckOutcome>;
}

/** What a boot check may use: a shell in the guest and what the seed told the guest. */
export interface BootContext extends ShellContext {
  /** Writes bytes to a file in the guest as the test user (ssh, `cat >` from stdin): for files too big for a command line. */
  put(path: string, data: Buffer, timeoutMs?: number): Promise<RunResult>;
  identity: InstanceIdentity;
  /** Runs ssh from the host against the guest with custom options (user, auth methods). */
  sshAs(user: string, extraOptions: string[], command: string): Promise<RunResult>;
  expect: SuiteExpectations;
  /** `cloud-init status --wait --long` as the harness saw it end (exit code and text). */
  cloudInitStatus: { code: number; text: string };
  /** Size of the root partition in the image before boot, and bytes added to the disk. */
  rootPartitionBytes: number;
  growBytes: number;
  /**
   * Reboots the guest and waits until SSH answers from the new boot, for checks about what a later boot
   * does (the server role). Absent where no VM backs the context; such a check skips.
   */
  reboot?(): Promise<void>;
}

/** Per-suite expectations, so a stack image can allow its own ports. */
export interface SuiteExpectations {
  /** TCP ports that may listen on a non-loopback address. */
  tcpPorts: number[];
  /** Processes that may hold non-loopback UDP sockets (DHCP clients). */
  udpProcesses: RegExp;
  /** UDP ports that may listen whatever holds them: kernel sockets have no process (VXLAN's 4789). */
  udpPorts?: number[];
}

/**
 * A boot check: `run` gathers facts over SSH and hands them to a pure evaluate function
 * (exported by each check file), so the verdict logic is unit-tested with recorded outputs.
 */
export interface BootCheck {
  id: string;
  title: string;
  run(ctx: BootContext): Promise<CheckOutcome>;
}

export const finding = (message: string, path?: string) => (path ? { message, path } : { message });
