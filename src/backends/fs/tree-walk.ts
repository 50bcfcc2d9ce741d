import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every path under root (root itself first), in sorted order so that anything derived from it is reproducible. */
export function* walkTree(root: string, rel = ''): Generator<{ rel: string; abs: string; isDir: boolean }> {
  const abs = join(root, rel);
  const st = lstatSync(abs);
  yield { rel: rel || '/', abs, isDir: st.isDirectory() };
  if (!st.isDirectory()) return;
  for (const name of readdirSync(abs).sort()) yield* walkTree(root, `${rel}/${name}`);
}

/** Allocated bytes of a tree (what `du` shows), without following symlinks. */
export function treeBytes(root: string): number {
  let total = 0;
  for (const { abs } of walkTree(root)) total += lstatSync(abs).blocks * 512;
  return total;
}
