import { z } from 'zod';
import { defineStage } from './stage.ts';
import { writeTreeFile } from './tree-fs.ts';
import { datasourceConfig } from './configure-files.ts';
import { clampTree } from './clamp-times.ts';

const options = z.object({ platform: z.string(), datasources: z.array(z.string()).min(1), sourceDateEpoch: z.number() });

/** A variant of the sealed tree for one cloud: only the cloud-init datasource list differs. */
export const platformStage = defineStage({
  name: 'platform',
  produces: 'tree',
  options,
  async run(ctx, o) {
    writeTreeFile(ctx.tree, '/etc/cloud/cloud.cfg.d/90-herd-datasources.cfg', datasourceConfig(o.datasources));
    clampTree(ctx.tree, o.sourceDateEpoch);
  },
});
