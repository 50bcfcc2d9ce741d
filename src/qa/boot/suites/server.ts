import type { Suite } from '../suite.ts';
import { serverRole } from '../checks/s01-server-role.ts';
import { serverReboot } from '../checks/s02-server-reboot.ts';
import { cockpit } from '../checks/s03-cockpit.ts';

/** The Cloud -> Server path: run herd-server-role, reboot, and see that the instance is now a server. */
export const server = {
  description: 'herd-server-role turns the instance into a server: after a reboot cloud-init stays off, hostname and network are kept, Cockpit answers',
  checks: [serverRole, serverReboot, cockpit],
  // Cockpit listens on all addresses once the role is enabled: that is what a managed server wants
  expect: { tcpPorts: [9090] },
} satisfies Suite;
