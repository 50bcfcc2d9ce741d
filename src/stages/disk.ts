import { mkdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256File } from '../backends/fs/checksum.ts';
import { defineStage, type StageContext } from './stage.ts';
import { parseSize } from '../recipe/size.ts';
import { gptLayout, sfdiskScript, SECTOR, type Partition } from '../backends/disk/gpt-layout.ts';
import { embedGrubBios } from '../backends/disk/grub-bios-embed.ts';
import { ext4TimeFixCommands } from '../backends/disk/ext4-times.ts';

const options = z.object({
  size: z.string(),
  boot: z.array(z.enum(['bios', 'uefi'])),
  filesystem: z.literal('ext4'),
  rootUuid: z.string(),
  hashSeed: z.string(),
  espVolumeId: z.string().regex(/^[0-9A-F]{8}$/),
  diskGuid: z.string(),
  rootPartUuid: z.string(),
  biosPartUuid: z.string(),
  espPartUuid: z.string(),
  sourceDateEpoch: z.number(),
});
type Options = z.infer<typeof options>;

const GRUB_COMMON = ['part_gpt', 'ext2', 'search', 'search_fs_uuid', 'normal', 'linux', 'boot', 'echo', 'test', 'serial', 'terminal', 'configfile', 'ls', 'cat'];
const GRUB_PC_DIR = '/usr/lib/grub/i386-pc';
const GRUB_EFI_DIR = '/usr/lib/grub/x86_64-efi';

/**
 * Assembles a hybrid BIOS+UEFI GPT disk from a tree using only files: mke2fs -d for root, mtools for the
 * ESP, sfdisk for the table, GRUB images made on the host. No loop devices, no mounts, bit-reproducible.
 */
export const diskStage = defineStage({
  name: 'disk',
  produces: 'file',
  options,
  async run(ctx, o) {
    const tree = join(ctx.inputs[0]!.dir, 'tree');
    const work = join(ctx.outDir, 'work');
    mkdirSync(work);
    const env = { SOURCE_DATE_EPOCH: String(o.sourceDateEpoch), E2FSPROGS_FAKE_TIME: String(o.sourceDateEpoch), MTOOLS_SKIP_CHECK: '1' };
    const disk = join(ctx.outDir, 'disk.raw');
    const parts = gptLayout(parseSize(o.size), o.boot, o);
    const part = (name: Partition['name']) => parts.find((p) => p.name === name);
    const early = join(work, 'early.cfg');
    writeFileSync(early, `search --no-floppy --fs-uuid --set=root ${o.rootUuid}\nset prefix=($root)/boot/grub\n`);

    const rootImg = await makeRootFs(ctx, o, tree, work, part('root')!, env);
    const espImg = part('esp') ? await makeEsp(ctx, o, work, early, part('esp')!, env) : undefined;

    truncateSync(openClose(disk), parseSize(o.size));
    await ctx.run(['sfdisk', '--quiet', '--no-reread', '--no-tell-kernel', disk], { input: sfdiskScript(disk, o.diskGuid, parts) });
    await place(ctx, rootImg, disk, part('root')!);
    if (espImg) await place(ctx, espImg, disk, part('esp')!);
    if (part('bios')) {
      const core = join(work, 'core.img');
      await ctx.run(['grub-mkimage', '-O', 'i386-pc', '-d', GRUB_PC_DIR, '-c', early, '-p', '/boot/grub', '-o', core, 'biosdisk', ...GRUB_COMMON], { env });
      const n = embedGrubBios(disk, readFileSync(join(GRUB_PC_DIR, 'boot.img')), readFileSync(core), part('bios')!.start, part('bios')!.sectors);
      ctx.log(`GRUB core.img embedded: ${n} sectors`);
    }
    rmSync(work, { recursive: true, force: true });
    const st = statSync(disk);
    ctx.meta.sha256 = await sha256File(disk);
    ctx.meta.partitions = parts;
    ctx.meta.sizeBytes = st.size;
    ctx.meta.allocatedBytes = st.blocks * 512;
  },
});

async function makeRootFs(ctx: StageContext, o: Options, tree: string, work: string, p: Partition, env: Record<string, string>) {
  const img = join(work, 'root.img');
  truncateSync(openClose(img), p.sectors * SECTOR);
  await ctx.run(['mke2fs', '-q', '-F', '-t', 'ext4', '-L', 'root', '-U', o.rootUuid,
    '-E', `hash_seed=${o.hashSeed},lazy_itable_init=0,lazy_journal_init=0`, '-d', tree, img], { env });
  const { commands, skipped } = ext4TimeFixCommands(tree, o.sourceDateEpoch);
  for (const s of skipped) ctx.log(`warning: cannot reset times of ${JSON.stringify(s)} (a quote in the name)`);
  const cmds = join(work, 'fix-times.debugfs');
  writeFileSync(cmds, commands);
  await ctx.run(['debugfs', '-w', '-f', cmds, img], { env, onLine: () => {} });
  await ctx.run(['e2fsck', '-f', '-n', img], { env });
  return img;
}

async function makeEsp(ctx: StageContext, o: Options, work: string, early: string, p: Partition, env: Record<string, string>) {
  const dir = join(work, 'esp');
  mkdirSync(join(dir, 'EFI', 'BOOT'), { recursive: true });
  const loader = join(dir, 'EFI', 'BOOT', 'BOOTX64.EFI');
  await ctx.run(['grub-mkimage', '-O', 'x86_64-efi', '-d', GRUB_EFI_DIR, '-c', early, '-p', '/boot/grub', '-o', loader,
    'fat', 'efi_gop', ...GRUB_COMMON], { env });
  for (const f of [loader, join(dir, 'EFI', 'BOOT'), join(dir, 'EFI')]) utimesSync(f, o.sourceDateEpoch, o.sourceDateEpoch);
  const img = join(work, 'esp.img');
  truncateSync(openClose(img), p.sectors * SECTOR);
  await ctx.run(['mkfs.vfat', '-F', '32', '-S', '512', '-s', '1', '-n', 'ESP', '--invariant', img], { env });
  // --invariant fixes the volume id at 1234ABCD and ignores -i: write ours into the boot sector and its backup
  const vid = Buffer.from(o.espVolumeId, 'hex').reverse();
  const fd = openSync(img, 'r+');
  for (const off of [0x43, 6 * 512 + 0x43]) writeSync(fd, vid, 0, 4, off);
  closeSync(fd);
  await ctx.run(['mcopy', '-s', '-p', '-m', '-i', img, 'EFI', '::/'], { env, cwd: dir });
  return img;
}

/** dd with conv=sparse keeps the disk sparse: unwritten ext4 blocks stay holes. */
async function place(ctx: StageContext, img: string, disk: string, p: Partition) {
  await ctx.run(['dd', `if=${img}`, `of=${disk}`, 'bs=1M', `seek=${(p.start * SECTOR) / 2 ** 20}`, 'conv=notrunc,sparse', 'status=none']);
}

function openClose(path: string): string {
  writeFileSync(path, '');
  return path;
}
