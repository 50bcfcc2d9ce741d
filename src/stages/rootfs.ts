import { rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { packageManagers } from '../backends/package-managers/apt.ts';

const lockedPackage = z.object({
  name: z.string(), version: z.string(), architecture: z.string(), filename: z.string(), size: z.number(), sha256: z.string(),
});

const options = z.object({
  packageManager: z.enum(['apt']),
  codename: z.string(),
  architecture: z.string(),
  sources: z.array(z.object({ uri: z.string(), suites: z.array(z.string()), components: z.array(z.string()) })),
  keyring: z.string(),
  packages: z.array(z.string()),
  dpkgFilters: z.array(z.string()),
  archiveState: z.array(z.string()),
  sourceDateEpoch: z.number(),
  /** Written after the essential packages, before the rest (the release table's initramfs configuration). */
  earlyFiles: z.array(z.object({ path: z.string(), content: z.string() })).default([]),
  /** From a lock: install exactly these files instead of what the archive offers today. */
  locked: z.array(lockedPackage).optional(),
});

/**
 * Installs the package set into a fresh tree: the slow step that everything else caches behind. Records
 * every installed package with its archive file and sha256 (meta.lock), which resolved.json carries as the lock.
 */
export const rootfsStage = defineStage({
  name: 'rootfs',
  produces: 'tree',
  keepOutput: true,
  options,
  async run(ctx, o) {
    const pm = packageManagers[o.packageManager];
    rmdirSync(ctx.tree); // mmdebstrap wants to create the target itself
    const workDir = join(ctx.outDir, 'work');
    try {
      ctx.meta.lock = await pm.bootstrap({
        root: ctx.tree, codename: o.codename, architecture: o.architecture, sources: o.sources, keyring: o.keyring,
        packages: o.packages, pathFilters: o.dpkgFilters, sourceDateEpoch: o.sourceDateEpoch, earlyFiles: o.earlyFiles,
        packageCache: join(ctx.packageCache, `${o.packageManager}-${o.codename}-${o.architecture}`),
        locked: o.locked, workDir, log: (l) => ctx.log(l),
      }, (argv, opts) => ctx.run(argv, opts));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    const packages = pm.installed(ctx.tree);
    ctx.meta.packages = packages;
    ctx.log(`installed ${packages.length} packages${o.locked ? ' (exactly the locked set)' : ''}`);
  },
});
