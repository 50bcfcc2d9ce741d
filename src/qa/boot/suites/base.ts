import type { Suite } from '../suite.ts';
import { bootHealth } from '../checks/b01-boot-health.ts';
import { sshPolicy } from '../checks/b02-ssh-policy.ts';
import { identity } from '../checks/b03-identity.ts';
import { growpart } from '../checks/b04-growpart.ts';
import { metadata } from '../checks/b05-metadata.ts';
import { canary } from '../checks/b06-canary.ts';
import { ports } from '../checks/b07-ports.ts';
import { packageManager } from '../checks/b09-package-manager.ts';

/** Every cloud image runs this suite; image suites add their own checks and allowed ports to it. */
export const base = {
  description: 'every cloud image: boot health, SSH policy, first-boot identity, growpart, metadata, secrets, ports, packages',
  checks: [bootHealth, sshPolicy, identity, growpart, metadata, canary, ports, packageManager],
  expect: { tcpPorts: [22], udpProcesses: /^(dhclient|dhcpcd|systemd-network|NetworkManager)$/ },
} satisfies Suite;
