import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { parseFields } from '../probe-fields.ts';

export interface SwarmManagerFacts {
  /** herd-paas.service: ActiveState and Result. */
  unitState: string;
  unitResult: string;
  /** `docker info`: Swarm.LocalNodeState and Swarm.ControlAvailable. */
  nodeState: string;
  controlAvailable: string;
  /** `docker node ls` lines: Self Status Availability ManagerStatus. */
  nodes: string[];
  /** Mode of /etc/herd/swarm/worker.token, empty when it is missing or empty. */
  tokenMode: string;
  /** The unit's last journal lines: why herd-paas failed, when it did. */
  journal?: string;
}

/** The node configured itself from user-data: herd-paas.service succeeded and made it the swarm's leader. */
export function evaluateSwarmManager(f: SwarmManagerFacts) {
  const out = [];
  if (f.unitState !== 'active' || f.unitResult !== 'success') {
    out.push(finding(`herd-paas.service did not apply /etc/herd/paas.yaml (state ${f.unitState || 'unknown'}, result ${f.unitResult || 'unknown'})` +
      (f.journal?.trim() ? `: ${f.journal.trim().split('\n').slice(-3).join(' | ')}` : '')));
  }
  if (f.nodeState !== 'active') out.push(finding(`the node is not in a swarm (Swarm.LocalNodeState: ${f.nodeState || 'unknown'})`));
  else if (f.controlAvailable !== 'true') out.push(finding('the node is in a swarm but not a manager (Swarm.ControlAvailable is false)'));
  const self = f.nodes.find((n) => n.startsWith('true '));
  if (f.nodeState === 'active' && f.controlAvailable === 'true' && self !== 'true Ready Active Leader') {
    out.push(finding(`docker node ls does not show this node as a ready, active leader: ${self ?? f.nodes.join(' | ') ?? 'no nodes'}`));
  }
  if (f.tokenMode !== '600') out.push(finding(`the worker join token is not kept root-only in /etc/herd/swarm/worker.token (mode ${f.tokenMode || 'missing'})`, '/etc/herd/swarm/worker.token'));
  return out;
}

const PROBE = [
  'echo "UNIT_STATE=$(systemctl show herd-paas.service -p ActiveState --value 2>&1)"',
  'echo "UNIT_RESULT=$(systemctl show herd-paas.service -p Result --value 2>&1)"',
  `echo "NODE_STATE=$(sudo docker info --format '{{.Swarm.LocalNodeState}}' 2>&1 | head -n 1)"`,
  `echo "CONTROL=$(sudo docker info --format '{{.Swarm.ControlAvailable}}' 2>&1 | head -n 1)"`,
  `sudo docker node ls --format '{{.Self}} {{.Status}} {{.Availability}} {{.ManagerStatus}}' 2>/dev/null | sed 's/^/NODE /'`,
  'echo "TOKEN_MODE=$(sudo sh -c \'test -s /etc/herd/swarm/worker.token && stat -c %a /etc/herd/swarm/worker.token\')"',
  'sudo journalctl -u herd-paas.service -n 5 --no-pager -o cat 2>&1 | sed "s/^/JOURNAL /"',
].join('; ');

export const swarmManager: BootCheck = {
  id: 'P1',
  title: 'user-data made the node a Docker Swarm manager (herd-paas.service, docker node ls)',
  async run({ sh }) {
    const r = await sh(PROBE, 120_000);
    const f = parseFields(r.stdout);
    return evaluateSwarmManager({
      unitState: f.UNIT_STATE ?? '', unitResult: f.UNIT_RESULT ?? '', nodeState: f.NODE_STATE ?? '', controlAvailable: f.CONTROL ?? '',
      nodes: r.stdout.split('\n').filter((l) => l.startsWith('NODE ')).map((l) => l.slice(5).trim()), tokenMode: f.TOKEN_MODE ?? '',
      journal: r.stdout.split('\n').filter((l) => l.startsWith('JOURNAL ')).map((l) => l.slice(8)).join('\n'),
    });
  },
};
