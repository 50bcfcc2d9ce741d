import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateMpiHello } from './h01-mpi-hello.ts';
import { evaluateSlurmNode, parseShow, slurmConf } from './h02-slurm-node.ts';

// Recorded from the hpc image (Debian 13, OpenMPI 5.0.7, Slurm 24.11) and, for the failures, the base image.
const RUN_OK = 'herd-mpi-hello rank 1 of 2 (sum 1)\nherd-mpi-hello rank 0 of 2 (sum 1)\n';

describe('H1 MPI hello', () => {
  it('passes when both ranks report once', () => {
    assert.deepEqual(evaluateMpiHello({ compile: { code: 0, output: '' }, run: { code: 0, output: RUN_OK }, ranks: 2 }), []);
  });
  it('fails without mpicc (base image)', () => {
    const f = evaluateMpiHello({ compile: { code: 127, output: 'bash: line 17: mpicc: command not found' }, run: { code: -1, output: '' }, ranks: 2 });
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /mpicc could not build the MPI hello \(exit 127\): .*command not found/);
  });
  it('fails when a rank is missing or mpirun fails', () => {
    const f = evaluateMpiHello({ compile: { code: 0, output: '' }, run: { code: 1, output: 'herd-mpi-hello rank 0 of 1 (sum 0)\n--------\nprterun was unable to launch the specified application' }, ranks: 2 });
    assert.match(f.map((x) => x.message).join('\n'), /mpirun -np 2 failed \(exit 1\)[\s\S]*rank 0 of 2 printed 0 times[\s\S]*rank 1 of 2 printed 0 times/);
  });
});

const SLURMD_C = 'NodeName=bios-4f2a CPUs=2 Boards=1 SocketsPerBoard=2 CoresPerSocket=1 ThreadsPerCore=1 RealMemory=1967\nUpTime=0-00:03:12\n';
const good = {
  before: { conditionResult: 'no', activeState: 'inactive', unitFileState: 'enabled' },
  slurmdC: SLURMD_C, slurmdActive: 'active', mungeActive: 'active',
  sinfo: 'bios-4f2a idle\n', srun: { code: 0, output: 'bios-4f2a\n' }, hostname: 'bios-4f2a',
};

describe('H2 Slurm node from the user-data contract', () => {
  it('passes a node that is skipped without config and runs a job with it', () => {
    assert.deepEqual(evaluateSlurmNode(good), []);
  });
  it('fails on the base image: no slurmd at all', () => {
    const f = evaluateSlurmNode({
      before: { conditionResult: '', activeState: 'inactive', unitFileState: '' },
      slurmdC: 'bash: line 1: slurmd: command not found', slurmdActive: 'inactive', mungeActive: 'inactive',
      sinfo: 'bash: line 1: sinfo: command not found', srun: { code: 127, output: 'bash: line 1: srun: command not found' }, hostname: 'bios-4f2a',
    }).map((x) => x.message).join('\n');
    for (const re of [/slurmd\.service is missing/, /slurmd -C did not print/, /munge is inactive/, /slurmd is inactive/, /sinfo does not list this node/, /srun -N1 hostname did not run/]) assert.match(f, re);
  });
  it('fails when the guest answered nothing at all (SSH lost: exit 255, empty output)', () => {
    const f = evaluateSlurmNode({ before: { conditionResult: '', activeState: '', unitFileState: '' }, slurmdC: '', slurmdActive: '', mungeActive: '', sinfo: '', srun: { code: 255, output: '' }, hostname: '' });
    assert.match(f.map((x) => x.message).join('\n'), /sinfo does not list this node \(\): \(empty\)/);
  });
  it('fails when slurmd would start without a config, or the node is down', () => {
    assert.match(evaluateSlurmNode({ ...good, before: { conditionResult: 'yes', activeState: 'failed', unitFileState: 'enabled' } })[0]!.message, /ConditionResult=yes ActiveState=failed/);
    assert.match(evaluateSlurmNode({ ...good, sinfo: 'bios-4f2a down*\n' })[0]!.message, /shows the node down\*, not idle/);
  });
  it('writes a slurm.conf naming this node from slurmd -C, without its uptime', () => {
    const conf = slurmConf('bios-4f2a', SLURMD_C.split('\n')[0]!);
    assert.match(conf, /^SlurmctldHost=bios-4f2a$/m);
    assert.match(conf, /^NodeName=bios-4f2a CPUs=2 .* RealMemory=1967 State=UNKNOWN$/m);
    assert.deepEqual(parseShow('ConditionResult=no\nActiveState=inactive\n'), { ConditionResult: 'no', ActiveState: 'inactive' });
  });
});
