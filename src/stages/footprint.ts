import { lstatSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { existsInTree, inTree, removeTreePath } from './tree-fs.ts';
import { treeBytes } from '../backends/fs/tree-walk.ts';
import { builtinModules, kernelVersionDirs, listModuleFiles, moduleName, moduleProblems, parseDepends, problemsError } from './kernel-modules.ts';

const options = z.object({
  docs: z.boolean(), man: z.boolean(), locales: z.array(z.string()),
  /** Modules the initramfs must hold (footprint.initramfs-modules); checked to exist like every dependency. */
  initramfsModules: z.array(z.string()).default([]),
});

/**
 * dpkg path filters keep most unwanted files out at install time; this removes what maintainer
 * scripts and non-dpkg sources left behind, and records what it saved.
 */
export const footprintStage = defineStage({
  name: 'footprint',
  produces: 'tree',
  options,
  async run(ctx, o) {
    const before = treeBytes(ctx.tree);
    if (!o.docs) {
      removeChildren(ctx.tree, '/usr/share/doc', (name) => existsInTree(ctx.tree, `/usr/share/doc/${name}/copyright`), true);
      removeTreePath(ctx.tree, '/usr/share/doc-base');
    }
    if (!o.man) {
      for (const p of ['/usr/share/man', '/usr/share/info', '/var/cache/man']) removeChildren(ctx.tree, p, () => false);
    }
    const keep = (name: string) => name === 'locale.alias' || o.locales.some((l) => name === l || name.startsWith(`${l}_`));
    removeChildren(ctx.tree, '/usr/share/locale', keep);
    await checkKernelModules(ctx, o.initramfsModules);
    ctx.meta.bytesBefore = before;
    ctx.meta.bytesAfter = treeBytes(ctx.tree);
    ctx.log(`footprint: ${((before - (ctx.meta.bytesAfter as number)) / 1024 ** 2).toFixed(1)} MiB removed after install`);
  },
});

/** Every module left by the allow- and deny-lists finds its dependencies (kernel-modules.ts says why). */
async function checkKernelModules(ctx: Parameters<typeof footprintStage.run>[0], initramfs: string[]) {
  for (const k of kernelVersionDirs(ctx.tree)) {
    const files = listModuleFiles(k.dir);
    // the image's own modinfo reads its own compression (xz, zstd), whatever the build host's kmod knows
    // the paths go in on stdin (xargs keeps their order), so the build log gets one line, not a thousand paths
    const { stdout } = files.length
      ? await ctx.run(['chroot', ctx.tree, 'xargs', '-0', 'modinfo', '-F', 'depends'],
        { input: files.map((f) => `${k.inImage}/${f}`).join('\0'), captureStdout: true, onLine: () => {} })
      : { stdout: '' };
    const depends = parseDepends(stdout, files);
    const modules = files.map((path, i) => ({ path, name: moduleName(path.split('/').at(-1)!), depends: depends[i]! }));
    const problems = moduleProblems(modules, builtinModules(k.dir), initramfs);
    if (problems.missingDependencies.length || problems.missingInitramfs.length) throw problemsError(problems, k.version);
    ctx.meta.kernelModules = { ...(ctx.meta.kernelModules as object), [k.version]: files.length };
    ctx.log(`kernel ${k.version}: ${files.length} modules, every dependency present`);
  }
}

/** Removes the entries of a folder except those `keep` accepts; with `keepCopyrightOnly`, kept folders lose all but copyright. */
function removeChildren(tree: string, dir: string, keep: (name: string) => boolean, keepCopyrightOnly = false) {
  if (!existsInTree(tree, dir)) return;
  for (const name of readdirSync(inTree(tree, dir))) {
    const path = `${dir}/${name}`;
    // a symlinked doc folder (klibc-utils -> libklibc) costs nothing and points at a kept folder
    if (keepCopyrightOnly && lstatSync(inTree(tree, path)).isSymbolicLink()) continue;
    if (!keep(name)) { removeTreePath(tree, path); continue; }
    if (keepCopyrightOnly) {
      for (const inner of readdirSync(inTree(tree, path))) if (inner !== 'copyright') removeTreePath(tree, `${path}/${inner}`);
    }
  }
}
