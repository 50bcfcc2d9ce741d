import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { formats } from '../catalog/formats.ts';
import { writeOciArchive } from '../backends/oci/write-oci-archive.ts';

const options = z.object({
  architecture: z.string(),
  os: z.literal('linux'),
  sourceDateEpoch: z.number(),
  env: z.array(z.string()),
  cmd: z.array(z.string()).min(1),
  labels: z.record(z.string(), z.string()),
  createdBy: z.string(),
  refName: z.string(),
});

/**
 * A sealed container tree → image.oci.tar: an OCI image layout with the tree as one layer, in a tar
 * (what `skopeo copy oci-archive:…`, `podman load` and `umoci` read). Depends only on the tree and
 * these options, so two builds of the same inputs give the same manifest digest.
 */
export const ociStage = defineStage({
  name: 'oci',
  produces: 'file',
  options,
  async run(ctx, o) {
    const tree = join(ctx.inputs[0]!.dir, 'tree');
    const work = join(ctx.outDir, 'work');
    mkdirSync(work, { recursive: true });
    const file = formats.oci.file;
    const out = join(ctx.outDir, file);
    try {
      const r = await writeOciArchive((argv, opts) => ctx.run(argv, opts), tree, {
        architecture: o.architecture, os: o.os, epoch: o.sourceDateEpoch, env: o.env, cmd: o.cmd,
        labels: o.labels, createdBy: o.createdBy, refName: o.refName,
      }, out, work);
      ctx.log(`OCI image ${o.refName}: manifest ${r.manifestDigest}, layer ${(r.layerSize / 1024 ** 2).toFixed(1)} MiB gzip`);
      const st = statSync(out);
      Object.assign(ctx.meta, {
        file, sha256: r.archiveSha256, sizeBytes: st.size, allocatedBytes: st.blocks * 512,
        ociManifestDigest: r.manifestDigest, ociConfigDigest: r.configDigest, ociLayerDigest: r.layerDigest, ociDiffId: r.diffId, ociRefName: o.refName,
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
});
