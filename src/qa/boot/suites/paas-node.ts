import type { Suite } from '../suite.ts';
import { swarmManager } from '../checks/p01-swarm-manager.ts';
import { swarmService } from '../checks/p02-swarm-service.ts';

/** The user-data contract of the paas-node image (docs/catalogue/containers.md): a single-node swarm. */
export const SINGLE_NODE_SWARM = 'swarm:\n  role: init\n';

/**
 * The PaaS node (recipes/paas-node.yaml): every test instance gets user-data that makes it the first
 * node of a new swarm, the way an operator would start one; the checks then see that it became the
 * manager and that a service deployed from a local image answers through the routing mesh.
 */
export const paasNode = {
  description: 'PaaS node: user-data makes a single-node Docker Swarm, and a service from a local image answers on localhost',
  checks: [swarmManager, swarmService],
  userData: { write_files: [{ path: '/etc/herd/paas.yaml', content: SINGLE_NODE_SWARM, permissions: '0600' }] },
  // a swarm manager listens for other nodes: 2377 (cluster management), 7946 (gossip, TCP and UDP, by
  // dockerd) and 4789/udp (the overlay networks' VXLAN data path: a kernel socket, so no process to name)
  expect: { tcpPorts: [2377, 7946], udpProcesses: /^(dhclient|dhcpcd|systemd-network|NetworkManager|dockerd)$/, udpPorts: [4789] },
} satisfies Suite;
