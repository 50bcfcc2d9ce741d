import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256File } from '../backends/fs/checksum.ts';
import { defineStage, type StageContext } from './stage.ts';
import { formats } from '../catalog/formats.ts';
import type { OutputFormat } from '../recipe/schema.ts';
import { derivedUuid, derivedVolumeId } from '../plan/identity.ts';
import { pinVmdkCid } from '../backends/disk/vmdk-cid.ts';
import { pinVhdFooter } from '../backends/disk/vhd-footer.ts';

const options = z.object({ format: z.enum(['qcow2', 'raw.xz', 'vmdk', 'vhd', 'gce', 'ec2', 'openstack']), sourceDateEpoch: z.number() }).passthrough();

/** What a converter gets: the raw disk, the file to write, and what the output may depend on. */
export interface ConvertInput { raw: string; out: string; work: string; epoch: number; rawSha256: string }
type Converter = (ctx: Pick<StageContext, 'run'>, i: ConvertInput) => Promise<void>;

/**
 * One converter per delivery format, each reading the raw disk of its input step. Every output depends
 * only on the raw disk's bytes and SOURCE_DATE_EPOCH: what a tool would take from the clock, a random
 * generator or the file system's block allocation is fixed here.
 */
// zlib, not zstd: older cloud importers (and QEMU < 5.1) cannot read zstd-compressed clusters
const qcow2: Converter = async (ctx, i) => void await ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', '-c', '-o', 'compression_type=zlib', i.raw, i.out]);
// a fixed block size makes the multi-threaded output the same whatever the number of cores; xz >= 5.4 stays
// in multi-threaded mode for --threads=0 even on one core (single-threaded output differs)
const rawXz: Converter = async (ctx, i) => void await ctx.run(['xz', '--threads=0', '--block-size=64MiB', '-6', '--stdout', i.raw], { stdoutFile: i.out });

export const converters: Record<Exclude<OutputFormat, 'raw' | 'oci'>, Converter> = {
  qcow2,
  'raw.xz': rawXz,
  // the cloud variants: the same containers, around a disk whose cloud-init probes that cloud (src/stages/platform.ts)
  ec2: rawXz,
  openstack: qcow2,
  vmdk: async (ctx, i) => {
    await ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', i.raw, i.out]);
    pinVmdkCid(i.out, derivedVolumeId(i.rawSha256, 'vmdk-cid').toLowerCase());
  },
  // Azure wants a fixed VHD whose virtual size is a whole number of MiB; force_size keeps qemu from rounding to CHS
  vhd: async (ctx, i) => {
    await ctx.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', i.raw, i.out]);
    pinVhdFooter(i.out, { epoch: i.epoch, uuid: derivedUuid(i.rawSha256, 'vhd-uuid') });
  },
  // GCE imports a gzip'd tar (oldgnu format) holding one file named disk.raw. GNU tar stores a file as sparse
  // only when the file system says it has holes, so the disk is first copied with holes wherever it is zero;
  // --hole-detection=raw then takes the sparse map from the bytes, not from where the file system put blocks.
  gce: async (ctx, i) => {
    const dir = join(i.work, 'gce');
    mkdirSync(dir, { recursive: true });
    try {
      await ctx.run(['cp', '--sparse=always', i.raw, join(dir, 'disk.raw')]);
      await ctx.run(['tar', '--format=oldgnu', '--sparse', '--hole-detection=raw', '--sort=name', `--mtime=@${i.epoch}`,
        '--owner=0', '--group=0', '--numeric-owner', '--mode=u=rw,go=r', '--use-compress-program=gzip -n -6',
        '-cf', i.out, '-C', dir, 'disk.raw'], { env: { GZIP: undefined, TZ: 'UTC' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const convertStage = defineStage({
  name: 'convert',
  produces: 'file',
  options,
  async run(ctx, o) {
    const input = ctx.inputs[0]!;
    const raw = join(input.dir, 'disk.raw');
    const out = join(ctx.outDir, formats[o.format].file);
    const rawSha256 = typeof input.meta.sha256 === 'string' ? input.meta.sha256 : await sha256File(raw);
    await converters[o.format](ctx, { raw, out, work: join(ctx.outDir, 'work'), epoch: o.sourceDateEpoch, rawSha256 });
    rmSync(join(ctx.outDir, 'work'), { recursive: true, force: true });
    const st = statSync(out);
    ctx.meta.sha256 = await sha256File(out);
    ctx.meta.file = formats[o.format].file;
    // a compressed raw disk decompresses to exactly the input disk (stream metadata's uncompressed-sha256)
    if (o.format === 'raw.xz' || o.format === 'ec2') ctx.meta.uncompressedSha256 = rawSha256;
    ctx.meta.sizeBytes = st.size;
    ctx.meta.allocatedBytes = st.blocks * 512;
  },
});
