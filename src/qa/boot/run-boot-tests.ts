import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Firmware } from '../../backends/host/qemu-args.ts';
import { chooseAccel, type AccelChoice } from '../../backends/host/qemu-accel.ts';
import type { ProgressLimits } from '../../backends/host/qemu-launch.ts';
import type { ImageManifest } from '../image/manifest.ts';
import { isAppError } from '../../errors.ts';
import { runCommand } from '../../backends/host/run-command.ts';
import type { BootFigures, CheckResult, QaReporter } from '../types.ts';
import type { BootContext } from './check.ts';
import { bootInstance, type Instance } from './instance.ts';
import { checkInstance, crossCheck, rebootCheck, result } from './boot-results.ts';
import { requireBootTools } from './boot-tools.ts';
import { collectIdentity, type IdentityFacts } from './checks/b03-identity.ts';
import { makeSshKey, sshArgs, sshPut } from './ssh.ts';
import { resolveSuites } from './suites.ts';
import { mergeUserData } from './seed-data.ts';

export interface BootTestOptions {
  image: string;
  format: 'raw' | 'qcow2';
  virtualSize: number;
  rootPartitionBytes: number;
  firmware: Firmware | 'both';
  outDir: string;
  manifest?: ImageManifest;
  reporter?: QaReporter;
  /** Reboot the first instance and check that it is not treated as a first boot (B10). */
  reboot?: boolean;
  /** Merged into the test user-data (append to lists): used to prove checks fail. */
  extraUserData?: Record<string, unknown>;
  sshTimeoutMs?: number;
  growBytes?: number;
  qemu?: QemuOverrides;
}

/** For tests: a fake emulator binary, a fake accelerator probe, shorter stall limits. */
export interface QemuOverrides {
  binary?: string;
  chooseAccel?: () => Promise<AccelChoice>;
  progressLimits?: ProgressLimits;
}

const GiB = 1024 ** 3;

export async function runBootTests(o: BootTestOptions): Promise<{ results: CheckResult[]; boots: BootFigures[] }> {
  requireBootTools(o.firmware);
  const suite = resolveSuites(o.manifest?.suites);
  await mkdir(o.outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'herd-qa-boot-'));
  const results: CheckResult[] = [];
  const boots: BootFigures[] = [];
  const identities: IdentityFacts[] = [];
  try {
    const key = await makeSshKey(work);
    const firmwares: Firmware[] = o.firmware === 'both' ? ['bios', 'uefi'] : [o.firmware];
    for (const [i, firmware] of firmwares.entries()) {
      const phase = `boot:${firmware}`;
      o.reporter?.onPhaseStart?.(phase);
      const started = performance.now();
      let inst: Instance | undefined;
      try {
        // asked per boot: after a KVM stall the next boot starts under TCG straight away
        const accel = await (o.qemu?.chooseAccel ?? chooseAccel)();
        inst = await bootInstance({
          image: o.image, imageFormat: o.format, virtualSize: o.virtualSize, firmware, accel, key, label: firmware,
          qemuBinary: o.qemu?.binary, progressLimits: o.qemu?.progressLimits, onFigures: (f) => boots.push(f),
          workDir: join(work, firmware), serialLog: join(o.outDir, `serial-${firmware}.log`),
          growBytes: o.growBytes ?? 2 * GiB, extraUserData: mergeUserData(suite.userData, o.extraUserData),
          sshTimeoutMs: o.sshTimeoutMs,
          onProgress: (m) => o.reporter?.onProgress?.(phase, m),
        });
        results.push(report(o, result('B0', 'boots and accepts SSH with the launch key', phase, [], started)));
        const ctx = bootContext(inst, o, suite.expect);
        for (const check of suite.checks) results.push(report(o, await checkInstance(check, ctx, phase)));
        identities.push(await collectIdentity(inst.sh));
        if (o.reboot && i === 0) results.push(report(o, await rebootCheck(inst, identities[0]!, phase)));
      } catch (e) {
        results.push(report(o, result('B0', 'boots and accepts SSH with the launch key', phase, [{ message: describe(e) }], started)));
      } finally {
        const stopping = performance.now();
        await inst?.stop().catch(() => inst?.vm.kill());
        if (inst) o.reporter?.onProgress?.(phase, `stopped in ${Math.round((performance.now() - stopping) / 1000)}s`);
      }
    }
    if (identities.length >= 2) results.push(report(o, crossCheck(identities[0]!, identities[1]!)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { results, boots };
}

/** What checks see of one booted instance. */
export function bootContext(inst: Pick<Instance, 'sh' | 'identity' | 'target' | 'cloudInitStatus' | 'options' | 'reboot'>, o: BootTestOptions, expect: BootContext['expect']): BootContext {
  return {
    sh: inst.sh,
    put: (path, data, timeoutMs) => sshPut(inst.target, path, data, timeoutMs),
    identity: inst.identity,
    sshAs: (user, extra, command) =>
      runCommand([...sshArgs({ ...inst.target, user }, extra), '--', command], { allowFailure: true, timeoutMs: 60_000 }),
    manifest: o.manifest,
    expect,
    cloudInitStatus: inst.cloudInitStatus,
    rootPartitionBytes: o.rootPartitionBytes,
    growBytes: inst.options.growBytes,
    reboot: () => inst.reboot(),
  };
}

const describe = (e: unknown) => (isAppError(e) && e.hint ? `${e.message} (${e.hint})` : (e as Error).message);

function report(o: BootTestOptions, r: CheckResult): CheckResult {
  o.reporter?.onCheck?.(r);
  return r;
}
