import { AppError } from '../../errors.ts';
import type { BootCheck, SuiteExpectations } from './check.ts';
import { bootHealth } from './checks/b01-boot-health.ts';
import { sshPolicy } from './checks/b02-ssh-policy.ts';
import { identity } from './checks/b03-identity.ts';
import { growpart } from './checks/b04-growpart.ts';
import { metadata } from './checks/b05-metadata.ts';
import { canary } from './checks/b06-canary.ts';
import { ports } from './checks/b07-ports.ts';
import { packageManager } from './checks/b09-package-manager.ts';

/** A named set of boot checks plus what they should expect of the image. Image suites add to 'base'. */
export interface Suite {
  description: string;
  checks: BootCheck[];
  expect?: Partial<SuiteExpectations>;
}

export const suites = {
  base: {
    description: 'every cloud image: boot health, SSH policy, first-boot identity, growpart, metadata, secrets, ports, packages',
    checks: [bootHealth, sshPolicy, identity, growpart, metadata, canary, ports, packageManager],
    expect: { tcpPorts: [22], udpProcesses: /^(dhclient|dhcpcd|systemd-network|NetworkManager)$/ },
  },
} satisfies Record<string, Suite>;

export type SuiteName = keyof typeof suites;

export interface ResolvedSuites { names: string[]; checks: BootCheck[]; expect: SuiteExpectations }

/** 'base' plus the suites an image's manifest names, in order, each check once. */
export function resolveSuites(extra: string[] = []): ResolvedSuites {
  const names = ['base', ...extra.filter((n) => n !== 'base')];
  const picked = names.map((n) => {
    const s = (suites as Record<string, Suite>)[n];
    if (!s) {
      throw new AppError('qa.unknown_suite', `unknown QA suite "${n}"`, { hint: `known suites: ${Object.keys(suites).join(', ')}` });
    }
    return s;
  });
  const checks = [...new Map(picked.flatMap((s) => s.checks).map((c) => [c.id, c])).values()];
  const expect: SuiteExpectations = { tcpPorts: [], udpProcesses: suites.base.expect.udpProcesses };
  for (const s of picked) {
    expect.tcpPorts.push(...(s.expect?.tcpPorts ?? []));
    if (s.expect?.udpProcesses) expect.udpProcesses = s.expect.udpProcesses;
  }
  return { names, checks, expect };
}
