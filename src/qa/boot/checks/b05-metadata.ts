import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { RUNCMD_PATH, WRITE_FILES_PATH, type InstanceIdentity } from '../seed-data.ts';

export interface MetadataFacts {
  hostname: string;
  instanceId: string;
  writeFiles: string;
  runcmd: string;
}

export function evaluateMetadata(f: MetadataFacts, want: InstanceIdentity) {
  const out = [];
  if (f.hostname !== want.hostname) out.push(finding(`hostname is "${f.hostname}", meta-data said "${want.hostname}"`));
  if (f.instanceId !== want.instanceId) out.push(finding(`instance-id is "${f.instanceId}", meta-data said "${want.instanceId}"`));
  if (f.writeFiles !== want.writeFilesToken) out.push(finding('write_files content not applied', WRITE_FILES_PATH));
  if (!f.runcmd.includes(want.instanceId)) out.push(finding('runcmd did not run', RUNCMD_PATH));
  return out;
}

export const metadata: BootCheck = {
  id: 'B5',
  title: 'hostname and instance-id from meta-data; user-data write_files and runcmd applied',
  async run({ sh, identity }) {
    const [host, iid, wf, rc] = await Promise.all([
      sh('hostname'), sh('cat /var/lib/cloud/data/instance-id'), sh(`cat ${WRITE_FILES_PATH}`), sh(`sudo cat ${RUNCMD_PATH}`),
    ]);
    return evaluateMetadata(
      { hostname: host.stdout.trim(), instanceId: iid.stdout.trim(), writeFiles: wf.stdout.trim(), runcmd: rc.stdout },
      identity,
    );
  },
};
