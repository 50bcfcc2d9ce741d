import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';

/**
 * A file of a build output folder, opened once and kept open: it is checked (a regular file, reached
 * without symlinks, inside the folder) and hashed through the same descriptor it is later stored from,
 * so nothing can be swapped in between the check and the use. Errors name the file and what is wrong
 * with it, never its size, digest or content (the folder may point at files the caller cannot read).
 */
export interface CheckedFile {
  /** Path relative to the folder, as the manifest names it. */
  name: string;
  path: string;
  size: number;
  sha256: string;
  /** Streams the file from its start, through the checked descriptor. */
  stream(): Readable;
  close(): Promise<void>;
}

export async function folderRoot(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (e) {
    throw refused('publish.missing_file', `cannot open ${join(dir, 'manifest.json')}: ${code(e)}`, 'run `herd build` first; publish takes its output folder');
  }
}

/** Opens `name` (a relative path) under `root` (a real path), refusing symlinks, non-files and escapes. */
export async function openChecked(root: string, name: string, opts: { hash?: boolean } = {}): Promise<CheckedFile> {
  const path = join(root, name);
  if (isAbsolute(name) || relative(root, path).split(sep).includes('..')) {
    throw refused('publish.outside_folder', `${name} is not a file inside ${root}`, 'manifest.json names files inside its folder only');
  }
  let fh: FileHandle;
  try {
    // O_NOFOLLOW refuses a symlink as the last component; the real path check below catches linked folders.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    if (c === 'ELOOP') throw refused('publish.symlink', `${path} is a symbolic link; publish takes regular files only`, 'copy the file into the folder instead of linking it');
    throw refused('publish.missing_file', `cannot open ${path}: ${c ?? 'error'}`, 'run `herd build` first; publish takes its output folder');
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw refused('publish.not_a_file', `${path} is not a regular file`, 'publish takes regular files only');
    const real = await realPathOf(fh, path);
    if (real !== path && !real.startsWith(root + sep)) {
      throw refused('publish.outside_folder', `${path} resolves outside ${root}`, 'the build output folder must hold its files itself, not link to others');
    }
    const sha256 = opts.hash === false ? '' : await hashHandle(fh);
    return {
      name, path, size: st.size, sha256,
      stream: () => fh.createReadStream({ start: 0, autoClose: false }),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads a small checked file whole (manifest.json, SHA256SUMS, the QA report) and returns its text and digest. */
export async function readChecked(root: string, name: string, maxBytes: number): Promise<{ text: string; sha256: string }> {
  const f = await openChecked(root, name, { hash: false });
  try {
    if (f.size > maxBytes) throw refused('publish.too_large', `${f.path} is larger than ${maxBytes} bytes`, 'is this the right folder?');
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of f.stream()) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw refused('publish.too_large', `${f.path} is larger than ${maxBytes} bytes`, 'is this the right folder?');
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    return { text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
  } finally {
    await f.close();
  }
}

/** The path the kernel says the descriptor refers to (Linux /proc), else realpath of the name. */
async function realPathOf(fh: FileHandle, path: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${fh.fd}`);
  } catch {
    return realpath(path);
  }
}

async function hashHandle(fh: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fh.createReadStream({ start: 0, autoClose: false, highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'error';

function refused(c: string, message: string, hint: string): AppError {
  return new AppError(c, message, { hint });
}
