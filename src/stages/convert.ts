import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256File } from '../backends/fs/checksum.ts';
import { defineStage, type StageContext } from './stage.ts';
import { formats } from '../catalog/formats.ts';
import type { OutputFormat } from '../recipe/schema.ts';

const options = z.object({ format: z.enum(['qcow2', 'raw.xz', 'vmdk', 'vhd', 'gce']), sourceDateEpoch: z.number() }).passthrough();

type Converter = (ctx: StageContext, raw: string, out: string, epoch: number) => Promise<void>;

/** One converter per delivery format, each reading the raw disk of its input step. */
const converters: Record<Exclude<OutputFormat, 'raw'>, Converter> = {
  // zlib, not zstd: older cloud importers (and QEMU < 5.1) cannot read zstd-compressed clusters
  qcow2: (ctx, raw, out) => ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', '-c', '-o', 'compression_type=zlib', raw, out]).then(),
  // a fixed block size makes the multi-threaded output the same whatever the number of cores
  'raw.xz': (ctx, raw, out) => ctx.run(['xz', '--threads=0', '--block-size=64MiB', '-6', '--stdout', raw], { stdoutFile: out }).then(),
  vmdk: (ctx, raw, out) => ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, out]).then(),
  // Azure wants a fixed VHD whose virtual size is a whole number of MiB; force_size keeps qemu from rounding to CHS
  vhd: (ctx, raw, out) => ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw, out]).then(),
  // GCE imports a gzip'd tar (oldgnu format) holding one file named disk.raw
  gce: (ctx, raw, out, epoch) => ctx.run(['tar', '--format=oldgnu', '--sparse', `--mtime=@${epoch}`, '--owner=0', '--group=0',
    '--numeric-owner', '--use-compress-program=gzip -n -6', '-cf', out, '-C', join(raw, '..'), 'disk.raw']).then(),
};

export const convertStage = defineStage({
  name: 'convert',
  produces: 'file',
  options,
  async run(ctx, o) {
    const raw = join(ctx.inputs[0]!.dir, 'disk.raw');
    const out = join(ctx.outDir, formats[o.format].file);
    await converters[o.format](ctx, raw, out, o.sourceDateEpoch);
    const st = statSync(out);
    ctx.meta.sha256 = await sha256File(out);
    ctx.meta.file = formats[o.format].file;
    // a compressed raw disk decompresses to exactly the input disk (stream metadata's uncompressed-sha256)
    if (o.format === 'raw.xz') ctx.meta.uncompressedSha256 = ctx.inputs[0]!.meta.sha256;
    ctx.meta.sizeBytes = st.size;
    ctx.meta.allocatedBytes = st.blocks * 512;
  },
});
