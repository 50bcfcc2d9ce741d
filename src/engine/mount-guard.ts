import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * Mount points at or below `dir`. A killed mmdebstrap can leave /proc, /sys or a bind-mounted /dev
 * inside its tree; deleting such a tree recursively would reach into the host, so callers check first.
 */
export function mountsUnder(dir: string, mountsFile = '/proc/self/mounts'): string[] {
  let text: string;
  try {
    text = readFileSync(mountsFile, 'utf8');
  } catch {
    return [];
  }
  const root = resolve(dir);
  return text.split('\n').map((l) => l.split(' ')[1]).filter((m): m is string => !!m)
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === root || m.startsWith(`${root}/`));
}

/**
 * Unmounts what a killed tool left inside `dir` (deepest first) so the folder can be deleted safely.
 * Returns the mounts that are still there afterwards.
 */
export function unmountUnder(dir: string, mountsFile = '/proc/self/mounts'): string[] {
  for (const m of mountsUnder(dir, mountsFile).sort((a, b) => b.length - a.length)) {
    spawnSync('umount', [m], { stdio: 'ignore' });
  }
  return mountsUnder(dir, mountsFile);
}
