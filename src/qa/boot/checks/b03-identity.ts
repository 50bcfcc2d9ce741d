import type { BootCheck, BootContext } from '../check.ts';
import { finding } from '../check.ts';

export interface IdentityFacts {
  machineId: string;
  /** Fingerprints of /etc/ssh/ssh_host_*_key.pub, e.g. "SHA256:abc… (ED25519)". */
  hostKeys: string[];
  randomSeed: boolean;
}

export async function collectIdentity(sh: BootContext['sh']): Promise<IdentityFacts> {
  const id = await sh('cat /etc/machine-id');
  const keys = await sh('for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$k" | cut -d" " -f2,4; done');
  const seed = await sh('sudo test -s /var/lib/systemd/random-seed && echo yes');
  return {
    machineId: id.stdout.trim(),
    hostKeys: keys.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('SHA256:')),
    randomSeed: seed.stdout.trim() === 'yes',
  };
}

export function evaluateIdentity(f: IdentityFacts) {
  const out = [];
  if (!/^[0-9a-f]{32}$/.test(f.machineId)) out.push(finding(`machine-id is "${f.machineId}", not a generated id`, '/etc/machine-id'));
  if (f.hostKeys.length === 0) out.push(finding('no SSH host keys were generated at first boot', '/etc/ssh'));
  if (!f.randomSeed) out.push(finding('no random seed saved', '/var/lib/systemd/random-seed'));
  return out;
}

/** Two instances of one image must not share a machine-id or an SSH host key. */
export function evaluateDistinct(a: IdentityFacts, b: IdentityFacts) {
  const out = [];
  if (a.machineId && a.machineId === b.machineId) out.push(finding(`both instances have machine-id ${a.machineId}`));
  for (const k of a.hostKeys.filter((k) => b.hostKeys.includes(k))) out.push(finding(`both instances have host key ${k}`));
  return out;
}

export const identity: BootCheck = {
  id: 'B3',
  title: 'machine-id, SSH host keys and random seed made at first boot',
  async run({ sh }) {
    return evaluateIdentity(await collectIdentity(sh));
  },
};
