import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';

/** What one test instance is told through NoCloud, and what the checks expect to find afterwards. */
export interface InstanceIdentity {
  instanceId: string;
  hostname: string;
  user: string;
  publicKey: string;
  /** A secret placed in user-data; it must never become world-readable (CVE-2023-1786 class). */
  canary: string;
  /** Content written through write_files. */
  writeFilesToken: string;
}

export const WRITE_FILES_PATH = '/var/lib/herd-qa/write-files';
export const RUNCMD_PATH = '/var/lib/herd-qa/runcmd';
export const CANARY_PATH = '/root/herd-qa-canary';

export function newIdentity(label: string, publicKey: string): InstanceIdentity {
  const tag = randomBytes(4).toString('hex');
  return {
    instanceId: `iid-herd-qa-${label}-${tag}`,
    hostname: `herd-qa-${label}`,
    user: 'herdqa',
    publicKey,
    canary: `HERD-CANARY-${randomBytes(12).toString('hex')}`,
    writeFilesToken: `herd-qa-token-${tag}`,
  };
}

export function metaData(id: InstanceIdentity): string {
  return stringify({ 'instance-id': id.instanceId, 'local-hostname': id.hostname });
}

/** Test user-data; `extra` keys are appended to lists or replace scalars (used to make deliberately bad seeds). */
export function userData(id: InstanceIdentity, extra: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    users: [{
      name: id.user, shell: '/bin/bash', lock_passwd: true, sudo: 'ALL=(ALL) NOPASSWD:ALL',
      ssh_authorized_keys: [id.publicKey],
    }],
    ssh_pwauth: false,
    write_files: [
      { path: WRITE_FILES_PATH, content: `${id.writeFilesToken}\n`, permissions: '0644' },
      { path: CANARY_PATH, content: `${id.canary}\n`, permissions: '0600' },
    ],
    // Appends, so a second run of this per-instance module after a reboot shows as a second line.
    runcmd: [['sh', '-c', `echo "${id.instanceId} $(cat /proc/sys/kernel/random/boot_id)" >> ${RUNCMD_PATH}`]],
  };
  return `#cloud-config\n${stringify(mergeUserData(base, extra))}`;
}

/** cloud-config `over` on top of `base`: a list in both is appended to, anything else replaced. */
export function mergeUserData(base: Record<string, unknown> = {}, over: Record<string, unknown> = {}): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    out[k] = Array.isArray(cur) && Array.isArray(v) ? [...cur, ...v] : v;
  }
  return out;
}
