import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { hostFiles, hostTools } from '../catalog/host-tools.ts';
import { runCommand } from '../backends/host/run-command.ts';

export interface HostItem { name: string; package: string; ok: boolean }

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => { try { accessSync(join(d, tool), constants.X_OK); return true; } catch { return false; } });
}

/** Which host tools and files are present; the packages to install for the rest. */
export function checkHost(): { items: HostItem[]; missing: string[] } {
  const items: HostItem[] = [
    ...Object.entries(hostTools).map(([name, pkg]) => ({ name, package: pkg, ok: onPath(name) })),
    ...Object.entries(hostFiles).map(([name, pkg]) => ({ name, package: pkg, ok: existsSync(name) })),
  ];
  const missing = [...new Set(items.filter((i) => !i.ok).map((i) => i.package))].sort();
  return { items, missing };
}

export async function installMissing(packages: string[], log: (l: string) => void): Promise<void> {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  await runCommand([...sudo, 'apt-get', 'update', '-qq'], { onLine: log });
  await runCommand([...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], {
    onLine: log, env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
}
