import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { AppError } from '../../errors.ts';
import { requireTools, runCommand, which } from '../../backends/host/run-command.ts';
import { FsIndex, entryType } from './fs-index.ts';

/** Read-only access to an ext4 filesystem inside a disk image, through debugfs at a byte offset. */
export interface RootFs {
  index: FsIndex;
  /** File contents with symlinks resolved inside the image; undefined when absent or not a file. */
  read(path: string): Promise<string | undefined>;
  /** Follows symlinks inside the image root (never on the host). */
  resolve(path: string): Promise<string | undefined>;
}

const LS_LINE = /^\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/([^/]*)\/(\d*)\/$/;
const ENV = { DEBUGFS_PAGER: '__none__', PAGER: 'cat' };

export async function openRootFs(rawImage: string, offset: number): Promise<RootFs> {
  requireTools(['debugfs']);
  const device = `${rawImage}?offset=${offset}`;
  const debugfs = which('debugfs')!;
  const exec = (args: string[]) => runCommand([debugfs, ...args, device], { env: ENV, allowFailure: true });
  const probe = await exec(['-R', 'stats']);
  if (probe.code !== 0 || !/Filesystem magic number:\s+0xEF53/.test(probe.stdout)) {
    throw new AppError('qa.root_not_ext4', 'the root partition does not hold a readable ext4 filesystem', {
      hint: 'herd images carry ext4 in partition 1; check the image with `sfdisk -l` and `e2fsck -fn`',
      details: probe.stderr.trim(),
    });
  }
  const index = await walk(exec);
  const links = new Map<string, string>();
  const readlink = async (path: string) => {
    if (!links.has(path)) {
      const r = await exec(['-R', `stat ${quote(path)}`]);
      links.set(path, /Fast link dest: "(.*)"/.exec(r.stdout)?.[1] ?? (await cat(exec, path)) ?? '');
    }
    return links.get(path)!;
  };
  const resolve = (path: string) => resolvePath(index, readlink, path);
  return {
    index,
    resolve,
    read: async (path) => {
      const real = await resolve(path);
      return real && index.get(real)?.type === 'file' ? cat(exec, real) : undefined;
    },
  };
}

type Exec = (args: string[]) => ReturnType<typeof runCommand>;

/** Breadth-first listing: one debugfs run per directory depth. */
async function walk(exec: Exec): Promise<FsIndex> {
  const index = new FsIndex();
  index.add({ path: '/', type: 'dir', perm: 0o755, uid: 0, gid: 0, size: 0 });
  const tmp = await mkdtemp(join(tmpdir(), 'herd-qa-ls-'));
  try {
    let level = ['/'];
    while (level.length > 0) {
      const listable = level.filter((d) => !d.includes('"'));
      const cmdFile = join(tmp, 'cmds');
      await writeFile(cmdFile, listable.map((d) => `ls -p ${quote(d)}\n`).join(''));
      const r = await exec(['-f', cmdFile]);
      level = parseListing(r.stdout, listable, index);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return index;
}

/** Adds the entries of each `ls -p` block to the index; returns the subdirectories found. */
export function parseListing(stdout: string, dirs: string[], index: FsIndex): string[] {
  const next: string[] = [];
  let current = -1;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('debugfs: ')) { current += 1; continue; }
    const m = LS_LINE.exec(line);
    const dir = dirs[current];
    if (!m || dir === undefined || m[5] === '.' || m[5] === '..') continue;
    const mode = parseInt(m[2]!, 8);
    const path = posix.join(dir, m[5]!);
    const type = entryType(mode);
    index.add({ path, type, perm: mode & 0o7777, uid: Number(m[3]), gid: Number(m[4]), size: Number(m[6] || 0) });
    if (type === 'dir' && path !== '/lost+found') next.push(path);
  }
  return next;
}

async function cat(exec: Exec, path: string): Promise<string | undefined> {
  if (path.includes('"')) return undefined;
  const r = await exec(['-R', `cat ${quote(path)}`]);
  return r.code === 0 ? r.stdout : undefined;
}

async function resolvePath(index: FsIndex, readlink: (p: string) => Promise<string>, path: string) {
  let parts = path.split('/').filter(Boolean);
  let done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const candidate = `/${[...done, part].join('/')}`;
    const entry = index.get(candidate);
    if (!entry) return undefined;
    if (entry.type !== 'symlink') { done.push(part); continue; }
    if (++hops > 40) return undefined;
    const target = await readlink(candidate);
    parts = [...target.split('/').filter(Boolean), ...parts];
    if (target.startsWith('/')) done = [];
  }
  return `/${done.join('/')}`;
}

const quote = (p: string) => `"${p}"`;
