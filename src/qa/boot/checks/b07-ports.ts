import type { BootCheck, SuiteExpectations } from '../check.ts';
import { finding } from '../check.ts';

export interface Listener { proto: string; address: string; port: number; process: string }

/** Parses `ss -Htulnp`: "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))" */
export function parseSs(text: string): Listener[] {
  return text.split('\n').filter(Boolean).flatMap((line) => {
    const cols = line.trim().split(/\s+/);
    const local = cols[4] ?? '';
    const idx = local.lastIndexOf(':');
    if (idx < 0) return [];
    return [{
      proto: cols[0] ?? '',
      address: local.slice(0, idx).replace(/^\[|\]$/g, ''),
      port: Number(local.slice(idx + 1)),
      process: /\(\("([^"]+)"/.exec(line)?.[1] ?? '',
    }];
  });
}

const isLoopback = (a: string) => /^127\.|^\[?::1\]?$|%lo$/.test(a);

export function evaluatePorts(listeners: Listener[], expect: SuiteExpectations) {
  return listeners
    .filter((l) => !isLoopback(l.address))
    .filter((l) => (l.proto === 'tcp' ? !expect.tcpPorts.includes(l.port)
      : !expect.udpProcesses.test(l.process) && !(expect.udpPorts ?? []).includes(l.port)))
    .map((l) => finding(`unexpected ${l.proto} listener on ${l.address}:${l.port} (${l.process || 'unknown process'})`));
}

export const ports: BootCheck = {
  id: 'B7',
  title: 'only the expected ports listen (22 for the base image)',
  async run({ sh, expect }) {
    const r = await sh('sudo ss -Htulnp');
    if (r.code !== 0) return [finding(`ss failed: ${r.stderr.trim()}`)];
    return evaluatePorts(parseSs(r.stdout), expect);
  },
};
