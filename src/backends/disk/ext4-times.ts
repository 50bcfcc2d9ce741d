import { walkTree } from '../fs/tree-walk.ts';

/**
 * debugfs commands that set ctime and atime of every inode to SOURCE_DATE_EPOCH: mke2fs 1.47.0 -d copies
 * the host's ctime, which no userspace call can set, so the filesystem is fixed after the fact.
 * Returns the commands and the paths it had to skip (debugfs cannot quote a double quote).
 */
export function ext4TimeFixCommands(tree: string, epoch: number): { commands: string; skipped: string[] } {
  const out: string[] = [];
  const skipped: string[] = [];
  for (const { rel } of walkTree(tree)) {
    if (rel.includes('"') || rel.includes('\n')) { skipped.push(rel); continue; }
    out.push(`sif "${rel}" ctime @${epoch}`, `sif "${rel}" atime @${epoch}`);
  }
  out.push(`sif "/lost+found" ctime @${epoch}`, `sif "/lost+found" atime @${epoch}`);
  return { commands: out.join('\n') + '\n', skipped };
}
