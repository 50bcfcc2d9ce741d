import type { Suite } from '../suite.ts';
import { mpiHello } from '../checks/h01-mpi-hello.ts';
import { slurmNode } from '../checks/h02-slurm-node.ts';

/** HPC node: MPI works on one node, and a Slurm node configured the way user-data does it runs a job. */
export const hpc = {
  description: 'MPI hello on 2 ranks; slurmd off without config, and with slurm.conf + munge key a single-node cluster runs a job',
  checks: [mpiHello, slurmNode],
  // slurmctld (6817) and slurmd (6818) listen on all addresses once the cluster is configured
  expect: { tcpPorts: [6817, 6818] },
} satisfies Suite;
