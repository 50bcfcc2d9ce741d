import type { Suite } from '../suite.ts';
import { dockerDaemon } from '../checks/c01-docker-daemon.ts';
import { appArmor } from '../checks/c02-apparmor.ts';
import { dockerRun } from '../checks/c03-docker-run.ts';
import { dockerConfinement } from '../checks/c04-docker-confinement.ts';
import { podmanRun } from '../checks/c05-podman-run.ts';
import { containerd } from '../checks/c06-containerd.ts';

/**
 * The container host (recipes/container-host.yaml): engines run, AppArmor confines them, and a container
 * runs from an image loaded from a local file, since a test instance has no registry to pull from.
 * C6 runs after C3/C4 so Docker has used containerd by then.
 */
export const containerHost = {
  description: 'container host: Docker daemon, AppArmor docker-default, docker and podman run an image loaded from a file, containerd',
  checks: [dockerDaemon, appArmor, dockerRun, dockerConfinement, podmanRun, containerd],
} satisfies Suite;
