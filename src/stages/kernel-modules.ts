import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * The kernel module set after the footprint's allow- and deny-lists: every module left must find the
 * modules it depends on, and every module the initramfs is asked to hold must be there (or built in).
 * A trimmed module tree that loses a dependency fails at boot on a cloud's hardware, far from the build;
 * this makes it fail here, naming the folder to keep.
 */

/** A module file left in the tree, by the name modprobe knows it as ("-" and "_" are the same to it). */
export interface ModuleFile { name: string; path: string; depends: string[] }

export const moduleName = (file: string): string => file.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');

/** Module files under one kernel's module folder, relative to it (kernel/drivers/block/virtio_blk.ko.xz). */
export function listModuleFiles(versionDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(versionDir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.(xz|zst|gz))?$/.test(e.name)) out.push(p);
    }
  };
  for (const top of ['kernel', 'updates', 'extra']) if (existsSync(join(versionDir, top))) walk(top);
  return out.sort();
}

/** Names the kernel has built in (modules.builtin), which need no file. */
export function builtinModules(versionDir: string): Set<string> {
  const f = join(versionDir, 'modules.builtin');
  if (!existsSync(f)) return new Set();
  return new Set(readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => moduleName(l.split('/').at(-1)!)));
}

/** `modinfo -F depends a b c` prints one line per file, empty when a module needs nothing. */
export function parseDepends(stdout: string, files: string[]): string[][] {
  const lines = stdout.replace(/\n$/, '').split('\n');
  if (files.length === 0) return [];
  if (lines.length !== files.length) {
    throw new AppError('footprint.modinfo_output', `modinfo printed ${lines.length} dependency lines for ${files.length} modules`, {
      kind: 'internal', hint: 'report this with the build log: the kmod in the image prints a format Herd does not know',
    });
  }
  return lines.map((l) => l.split(',').map((d) => d.trim()).filter(Boolean).map(moduleName));
}

export interface ModuleProblems {
  /** module (its path) → the dependencies it lacks */
  missingDependencies: Array<{ module: string; missing: string[] }>;
  /** initramfs module names that are neither a file nor built in */
  missingInitramfs: string[];
}

export function moduleProblems(modules: ModuleFile[], builtin: Set<string>, initramfs: string[]): ModuleProblems {
  const present = new Set([...builtin, ...modules.map((m) => m.name)]);
  const missingDependencies = modules
    .map((m) => ({ module: m.path, missing: m.depends.filter((d) => !present.has(d)) }))
    .filter((m) => m.missing.length > 0);
  const missingInitramfs = initramfs.filter((n) => !present.has(moduleName(n)));
  return { missingDependencies, missingInitramfs };
}

/** Where a missing module's file would be, from the kernel package's full list: the folder to keep. */
export function problemsError(p: ModuleProblems, version: string): AppError {
  const lines = [
    ...p.missingDependencies.slice(0, 12).map((m) => `${m.module} needs ${m.missing.join(', ')}`),
    ...(p.missingDependencies.length > 12 ? [`... and ${p.missingDependencies.length - 12} more modules`] : []),
    ...p.missingInitramfs.map((n) => `footprint.initramfs-modules names ${n}, which is neither installed nor built in`),
  ];
  return new AppError('footprint.kernel_modules_incomplete', `kernel ${version}: the trimmed module set is incomplete:\n  ${lines.join('\n  ')}`, {
    hint: 'add the folder (or module path) holding each missing module to footprint.kernel-modules-include, or remove it from kernel-modules-exclude; '
      + '`dpkg -c` of the kernel package shows where a module lives',
    details: p,
  });
}

/** Kernel module folders of a tree: /usr/lib/modules/VERSION (merged /usr) or /lib/modules/VERSION. */
export function kernelVersionDirs(tree: string): Array<{ version: string; dir: string; inImage: string }> {
  for (const base of ['/usr/lib/modules', '/lib/modules']) {
    const dir = join(tree, base);
    if (!existsSync(dir) || lstatSync(dir).isSymbolicLink()) continue;
    return readdirSync(dir).sort()
      .filter((v) => lstatSync(join(dir, v)).isDirectory())
      .map((version) => ({ version, dir: join(dir, version), inImage: `${base}/${version}` }));
  }
  return [];
}
