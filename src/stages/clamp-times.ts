import { lstatSync, lutimesSync } from 'node:fs';
import { walkTree } from '../backends/fs/tree-walk.ts';

/**
 * Sets every mtime newer than SOURCE_DATE_EPOCH (files made by maintainer scripts "now") back to it,
 * and every atime to it: mke2fs -d copies both into the filesystem, so they must not depend on the build time.
 */
export function clampTree(root: string, epoch: number): number {
  let changed = 0;
  for (const { abs } of walkTree(root)) {
    const st = lstatSync(abs);
    const mtime = Math.min(st.mtimeMs / 1000, epoch);
    if (st.mtimeMs / 1000 > epoch || st.atimeMs / 1000 !== epoch) {
      lutimesSync(abs, epoch, mtime);
      changed++;
    }
  }
  return changed;
}
