import { existsSync } from 'node:fs';
import { hostRequirements, type HostRequirement } from '../catalog/host-tools.ts';
import { runCommand, which } from '../backends/host/run-command.ts';

export interface HostItem extends HostRequirement { ok: boolean }

/** Checks every entry of the host-tool catalogue (programs on the host PATH, files present); lists the packages to install for the rest. */
export function checkHost(present: (r: HostRequirement) => boolean = isPresent): { items: HostItem[]; missing: string[] } {
  const items = hostRequirements.map((r) => ({ ...r, ok: present(r) }));
  const missing = [...new Set(items.filter((i) => !i.ok).map((i) => i.package))].sort();
  return { items, missing };
}

function isPresent(r: HostRequirement): boolean {
  return r.kind === 'file' ? existsSync(r.name) : which(r.name) !== undefined;
}

export async function installMissing(packages: string[], log: (l: string) => void): Promise<void> {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  await runCommand([...sudo, 'apt-get', 'update', '-qq'], { onLine: log });
  await runCommand([...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], {
    onLine: log, env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
}
