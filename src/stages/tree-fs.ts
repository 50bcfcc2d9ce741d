import { chmodSync, chownSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * Paths inside an image tree. Every parent component is checked with lstat: a symlink in the image
 * (say /etc/x -> /etc on the host's view) must never make a build write outside the tree.
 */
export function inTree(tree: string, path: string): string {
  const rel = normalize(path).replace(/^\/+/, '');
  if (rel.startsWith('..')) throw new AppError('tree.path_escapes', `path ${path} leaves the image tree`, { hint: 'use an absolute path inside the image' });
  let cur = tree;
  const parts = rel.split('/').filter(Boolean);
  for (const part of parts.slice(0, -1)) {
    cur = join(cur, part);
    const st = lstatOrUndefined(cur);
    if (st?.isSymbolicLink()) {
      throw new AppError('tree.path_symlink', `cannot write ${path}: ${cur.slice(tree.length)} is a symlink in the image`, { hint: 'write to the link target path instead' });
    }
  }
  return join(tree, ...parts);
}

function lstatOrUndefined(p: string) {
  try { return lstatSync(p); } catch { return undefined; }
}

export interface WriteOptions { mode?: number; uid?: number; gid?: number }

/** Writes a file in the tree atomically, replacing a symlink at that path rather than following it. */
export function writeTreeFile(tree: string, path: string, content: string | Buffer, opts: WriteOptions = {}): void {
  const target = inTree(tree, path);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.herd-tmp`;
  writeFileSync(tmp, content);
  chmodSync(tmp, opts.mode ?? 0o644);
  if (opts.uid !== undefined) chownSync(tmp, opts.uid, opts.gid ?? opts.uid);
  if (lstatOrUndefined(target)?.isSymbolicLink()) rmSync(target);
  renameSync(tmp, target);
}

export function removeTreePath(tree: string, path: string): void {
  rmSync(inTree(tree, path), { recursive: true, force: true });
}

export function existsInTree(tree: string, path: string): boolean {
  return lstatOrUndefined(inTree(tree, path)) !== undefined;
}
