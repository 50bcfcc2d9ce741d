import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { packageManagers } from '../backends/package-managers/apt.ts';

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
});

/** Installs the package set into a fresh tree: the slow step that everything else caches behind. */
export const rootfsStage = defineStage({
  name: 'rootfs',
  produces: 'tree',
  keepOutput: true,
  options,
  async run(ctx, o) {
    const pm = packageManagers[o.packageManager];
    rmdirSync(ctx.tree); // mmdebstrap wants to create the target itself
    await pm.bootstrap({
      root: ctx.tree, codename: o.codename, architecture: o.architecture, sources: o.sources, keyring: o.keyring,
      packages: o.packages, pathFilters: o.dpkgFilters, sourceDateEpoch: o.sourceDateEpoch,
      packageCache: join(ctx.packageCache, `${o.packageManager}-${o.codename}-${o.architecture}`),
    }, (argv, opts) => ctx.run(argv, opts));
    const packages = pm.installed(ctx.tree);
    ctx.meta.packages = packages;
    ctx.log(`installed ${packages.length} packages`);
  },
});
