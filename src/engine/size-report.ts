import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { formatMiB } from '../recipe/size.ts';

/** Written next to manifest.json by `herd build`; manifest.json names it (`sizeReport`) with its sha256. */
export const SIZE_REPORT_FILE = 'size-report.json';

export interface SizeCount { bytes: number; files: number }

/** The footprint items the issue tracks (PRD Requirement #1), each a set of folders of the image. */
export const SIZE_CATEGORIES = {
  docs: ['/usr/share/doc', '/usr/share/doc-base'],
  locales: ['/usr/share/locale', '/usr/lib/locale'],
  man: ['/usr/share/man'],
  info: ['/usr/share/info'],
  kernelModules: ['/usr/lib/modules', '/lib/modules'],
} as const;
export type SizeCategory = keyof typeof SIZE_CATEGORIES | 'pythonBytecode';

/**
 * Where the bytes of an image tree are. Sizes are apparent bytes of regular files and symlinks (what
 * `du --apparent-size` counts, the same on any filesystem the step cache lives on, so two builds of the same
 * tree give the same report), a file with several hard links counted once. Packages are measured by the files
 * their dpkg `.list` names that are still in the tree, not by dpkg's Installed-Size, which counts the docs,
 * man pages and locales the footprint stage removed (it is given alongside as `installedSizeKiB`).
 */
export interface SizeReport {
  reportVersion: 1;
  total: SizeCount;
  /** By top-level entry of the tree (a directory, or a file or symlink such as /vmlinuz at the root), largest first. */
  byDirectory: Array<{ path: string } & SizeCount>;
  /** By installed package, largest first. */
  byPackage: Array<{ name: string; installedSizeKiB?: number } & SizeCount>;
  /** Files no package lists: generated at build time (initramfs, ld.so.cache, keys removed later...) or by maintainer scripts. */
  unpackaged: SizeCount;
  totals: Record<SizeCategory, SizeCount>;
}

interface FileEntry { path: string; bytes: number; inode: string }

/** Walks the tree once (never following a symlink) and attributes every file to its directory, package and category. */
export function computeSizeReport(tree: string): SizeReport {
  const files = new Map<string, FileEntry>();
  const seenInodes = new Set<string>();
  const total = zero();
  const dirs = new Map<string, SizeCount>();
  const totals = Object.fromEntries([...Object.keys(SIZE_CATEGORIES), 'pythonBytecode'].map((k) => [k, zero()])) as Record<SizeCategory, SizeCount>;

  const visit = (rel: string) => {
    for (const name of readdirSync(join(tree, rel)).sort()) {
      const path = `${rel}/${name}`;
      const st = lstatSync(join(tree, path));
      if (st.isDirectory()) { visit(path); continue; }
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      const inode = `${st.dev}:${st.ino}`;
      const entry = { path, bytes: st.size, inode };
      files.set(path, entry);
      if (seenInodes.has(inode)) continue;
      seenInodes.add(inode);
      add(total, st.size);
      const top = `/${path.split('/')[1]}`;
      add(dirs.get(top) ?? dirs.set(top, zero()).get(top)!, st.size);
      for (const [cat, roots] of Object.entries(SIZE_CATEGORIES)) {
        if (roots.some((r) => path.startsWith(`${r}/`))) add(totals[cat as SizeCategory], st.size);
      }
      if (path.includes('/__pycache__/') || path.endsWith('.pyc')) add(totals.pythonBytecode, st.size);
    }
  };
  visit('');

  const byPackage = packageSizes(tree, files);
  const packaged = byPackage.reduce((s, p) => ({ bytes: s.bytes + p.bytes, files: s.files + p.files }), zero());
  return {
    reportVersion: 1,
    total,
    byDirectory: [...dirs].map(([path, c]) => ({ path, ...c })).sort(largestFirst((d) => d.path)),
    byPackage,
    unpackaged: { bytes: total.bytes - packaged.bytes, files: total.files - packaged.files },
    totals,
  };
}

/** Each package's files from /var/lib/dpkg/info/<pkg>.list; a file two packages list (or a hard link) counts for the first only. */
function packageSizes(tree: string, files: Map<string, FileEntry>): SizeReport['byPackage'] {
  const infoDir = join(tree, 'var/lib/dpkg/info');
  if (!existsSync(infoDir)) return [];
  const installed = installedSizes(tree);
  const canonical = topLevelLinks(tree);
  const claimed = new Set<string>();
  const out: SizeReport['byPackage'] = [];
  for (const list of readdirSync(infoDir).filter((f) => f.endsWith('.list')).sort()) {
    const name = list.slice(0, -'.list'.length).split(':')[0]!;
    const count = zero();
    for (const line of readFileSync(join(infoDir, list), 'utf8').split('\n')) {
      if (!line.startsWith('/')) continue;
      const f = files.get(line) ?? files.get(canonical(line));
      if (!f || claimed.has(f.inode)) continue;
      claimed.add(f.inode);
      add(count, f.bytes);
    }
    out.push({ name, ...count, ...(installed.has(name) ? { installedSizeKiB: installed.get(name)! } : {}) });
  }
  return out.sort(largestFirst((p) => p.name));
}

/**
 * With merged /usr, /bin, /sbin and /lib* are symlinks into /usr while older packages still list /bin/sh:
 * the path in the tree is the one through the link.
 */
function topLevelLinks(tree: string): (path: string) => string {
  const links = new Map<string, string>();
  for (const name of readdirSync(tree)) {
    const st = lstatSync(join(tree, name));
    if (!st.isSymbolicLink()) continue;
    const target = readlinkSync(join(tree, name));
    if (!target.startsWith('/') && !target.includes('..')) links.set(name, posix.normalize(`/${target}`));
  }
  return (path) => {
    const [, top, ...rest] = path.split('/');
    const to = links.get(top!);
    return to ? [to, ...rest].join('/') : path;
  };
}

function installedSizes(tree: string): Map<string, number> {
  const out = new Map<string, number>();
  const status = join(tree, 'var/lib/dpkg/status');
  if (!existsSync(status)) return out;
  for (const stanza of readFileSync(status, 'utf8').split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const size = /^Installed-Size:\s*(\d+)/m.exec(stanza)?.[1];
    if (name && size && /^Status:.*install ok installed/m.test(stanza)) out.set(name, Number(size));
  }
  return out;
}

const zero = (): SizeCount => ({ bytes: 0, files: 0 });
function add(c: SizeCount, bytes: number) { c.bytes += bytes; c.files += 1; }
function largestFirst<T extends SizeCount>(key: (t: T) => string) {
  return (a: T, b: T) => b.bytes - a.bytes || key(a).localeCompare(key(b));
}

/** The short table `herd build` writes into build.log and size-report.txt. */
export function formatSizeReport(r: SizeReport, top = 10): string {
  const t = r.totals;
  const width = Math.max(34, ...r.byDirectory.slice(0, top).map((d) => d.path.length), ...r.byPackage.slice(0, top).map((p) => p.name.length));
  const row = (label: string, c: SizeCount) => `  ${label.padEnd(width)} ${formatMiB(c.bytes).padStart(11)}  ${String(c.files).padStart(6)} files`;
  return [
    `image tree: ${formatMiB(r.total.bytes)} in ${r.total.files} files (apparent size)`,
    'by top-level directory:',
    ...r.byDirectory.slice(0, top).map((d) => row(d.path, d)),
    `largest packages (of ${r.byPackage.length}):`,
    ...r.byPackage.slice(0, top).map((p) => row(p.name, p)),
    row('(no package)', r.unpackaged),
    'footprint items:',
    row('docs (/usr/share/doc)', t.docs),
    row('locales', t.locales),
    row('man pages', t.man),
    row('info pages', t.info),
    row('kernel modules', t.kernelModules),
    row('python bytecode (__pycache__)', t.pythonBytecode),
  ].join('\n');
}
