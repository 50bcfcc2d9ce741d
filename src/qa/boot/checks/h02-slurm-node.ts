import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

/** The Slurm compute node before and after the files the user-data contract writes are in place. */
export interface SlurmFacts {
  /** slurmd without /etc/slurm/slurm.conf: `systemctl show -p ConditionResult,ActiveState,UnitFileState` */
  before: { conditionResult: string; activeState: string; unitFileState: string };
  /** `slurmd -C`: the node's own hardware line, "NodeName=... CPUs=..." */
  slurmdC: string;
  /** after writing slurm.conf and munge.key and starting munge, slurmctld and slurmd */
  slurmdActive: string;
  mungeActive: string;
  /** `sinfo -h -N -o "%N %t"` and `srun -N1 hostname` as the test user */
  sinfo: string;
  srun: { code: number; output: string };
  hostname: string;
}

export function evaluateSlurmNode(f: SlurmFacts) {
  const out = [];
  if (f.before.unitFileState !== 'enabled') out.push(finding(`slurmd.service is ${f.before.unitFileState || 'missing'}: a node configured from user-data would not start it at boot`));
  if (f.before.conditionResult !== 'no' || f.before.activeState !== 'inactive') {
    out.push(finding(`without /etc/slurm/slurm.conf slurmd should be skipped by its condition (ConditionResult=no, inactive), got ConditionResult=${f.before.conditionResult} ActiveState=${f.before.activeState}`));
  }
  if (!/^NodeName=\S+ .*CPUs=\d+/m.test(f.slurmdC)) out.push(finding(`slurmd -C did not print the node's configuration: ${f.slurmdC.trim().slice(0, 160) || '(empty)'}`));
  if (f.mungeActive !== 'active') out.push(finding(`munge is ${f.mungeActive || 'unknown'} with a key in place`));
  if (f.slurmdActive !== 'active') out.push(finding(`slurmd is ${f.slurmdActive || 'unknown'} with a slurm.conf in place`));
  const node = !f.hostname ? undefined : f.sinfo.split('\n').map((l) => l.trim().split(/\s+/)).find((c) => c[0] === f.hostname);
  if (!node) out.push(finding(`sinfo does not list this node (${f.hostname}): ${f.sinfo.trim().slice(0, 160) || '(empty)'}`));
  else if (!/^(idle|mix|alloc|completing)/.test(node[1] ?? '')) out.push(finding(`sinfo shows the node ${node[1]}, not idle`));
  if (f.srun.code !== 0 || f.srun.output.trim().split('\n').pop() !== f.hostname) {
    out.push(finding(`srun -N1 hostname did not run on the node (exit ${f.srun.code}): ${f.srun.output.trim().slice(0, 160)}`));
  }
  return out;
}

/** Parses `systemctl show -p A -p B`: "Key=value" lines. */
export function parseShow(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

/**
 * The single-node cluster the check makes: what a user's cloud-init write_files would put in
 * /etc/slurm/slurm.conf, with this node's own line from `slurmd -C`.
 */
export function slurmConf(host: string, nodeLine: string): string {
  return [
    'ClusterName=herdqa', `SlurmctldHost=${host}`, 'AuthType=auth/munge', 'SlurmUser=slurm',
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres',
    'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none',
    'SlurmdSpoolDir=/var/lib/slurm/slurmd', 'StateSaveLocation=/var/lib/slurm/slurmctld',
    'ReturnToService=2', 'SlurmctldTimeout=60', 'SlurmdTimeout=120',
    nodeLine.trim().replace(/\s+UpTime=\S+$/, '') + ' State=UNKNOWN',
    'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP', '',
  ].join('\n');
}

export const slurmNode: BootCheck = {
  id: 'H2',
  title: 'slurmd stays off without a config, and with slurm.conf + munge key (the user-data contract) the node joins and runs a job',
  async run({ sh }) {
    const show = parseShow((await sh('systemctl show slurmd.service -p ConditionResult -p ActiveState -p UnitFileState')).stdout);
    const before = { conditionResult: show.ConditionResult ?? '', activeState: show.ActiveState ?? '', unitFileState: show.UnitFileState ?? '' };
    // slurmd lives in /usr/sbin, which is not on an ordinary user's PATH on Debian
    const slurmdC = (await sh('/usr/sbin/slurmd -C 2>&1', 60_000)).stdout;
    const hostname = (await sh('hostname -s')).stdout.trim();
    const nodeLine = /^NodeName=.*$/m.exec(slurmdC)?.[0] ?? `NodeName=${hostname} CPUs=1`;
    // what cloud-init write_files does with the contract's two files
    await sh([
      `sudo install -d -m 0755 /etc/slurm && sudo tee /etc/slurm/slurm.conf >/dev/null <<'EOF'\n${slurmConf(hostname, nodeLine)}EOF`,
      'sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none',
      'sudo chown munge:munge /etc/munge/munge.key && sudo chmod 0400 /etc/munge/munge.key',
    ].join('\n'), 60_000);
    await sh('sudo systemctl start munge.service; sudo systemctl start slurmctld.service; sudo systemctl start slurmd.service', 180_000);
    const mungeActive = (await sh('systemctl is-active munge.service')).stdout.trim();
    const slurmdActive = (await sh('systemctl is-active slurmd.service')).stdout.trim();
    // the controller needs a moment to hear from the node: poll until it is idle, up to two minutes
    const sinfo = (await sh('for i in $(seq 1 40); do s=$(sinfo -h -N -o "%N %t" 2>&1); case "$s" in *idle*) break;; esac; sleep 3; done; echo "$s"', 180_000)).stdout;
    const srun = await sh('timeout 120 srun -N1 hostname -s 2>&1', 150_000);
    return evaluateSlurmNode({ before, slurmdC, slurmdActive, mungeActive, sinfo, srun: { code: srun.code, output: srun.stdout }, hostname });
  },
};
