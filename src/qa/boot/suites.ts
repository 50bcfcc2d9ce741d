import { AppError } from '../../errors.ts';
import type { BootCheck, SuiteExpectations } from './check.ts';
import type { Suite } from './suite.ts';
import { mergeUserData } from './seed-data.ts';
import { base } from './suites/base.ts';
import { stack } from './suites/stack.ts';
import { containerHost } from './suites/container-host.ts';
import { paasNode } from './suites/paas-node.ts';
import { server } from './suites/server.ts';
import { hpc } from './suites/hpc.ts';
import { dataScience } from './suites/data-science.ts';

export type { Suite } from './suite.ts';

/**
 * The registry of QA suites, one file each under suites/. Its names are the ones recipes may write in
 * `qa.suites` (src/catalog/qa-suite-names.ts); suites.test.ts keeps the two lists equal.
 */
export const suites: Record<string, Suite> = {
  base,
  stack,
  'container-host': containerHost,
  'paas-node': paasNode,
  server,
  hpc,
  'data-science': dataScience,
};

export interface ResolvedSuites { names: string[]; checks: BootCheck[]; expect: SuiteExpectations; userData: Record<string, unknown> }

/** 'base' plus the suites an image's manifest names, in order, each check once. */
export function resolveSuites(extra: string[] = []): ResolvedSuites {
  const names = ['base', ...extra.filter((n) => n !== 'base')];
  const picked = names.map((n) => {
    const s = suites[n];
    if (!s) {
      throw new AppError('qa.unknown_suite', `unknown QA suite "${n}"`, { hint: `known suites: ${Object.keys(suites).join(', ')}` });
    }
    return s;
  });
  const checks = [...new Map(picked.flatMap((s) => s.checks).map((c) => [c.id, c])).values()];
  const expect: SuiteExpectations = { tcpPorts: [], udpProcesses: base.expect.udpProcesses, udpPorts: [] };
  let userData: Record<string, unknown> = {};
  for (const s of picked) {
    userData = mergeUserData(userData, s.userData);
    expect.tcpPorts.push(...(s.expect?.tcpPorts ?? []));
    expect.udpPorts!.push(...(s.expect?.udpPorts ?? []));
    if (s.expect?.udpProcesses) expect.udpProcesses = s.expect.udpProcesses;
  }
  return { names, checks, expect, userData };
}
