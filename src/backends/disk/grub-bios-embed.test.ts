import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hasTools, sh } from '../../../test/helpers/host.ts';
import { join } from 'node:path';
import { embedGrubBios } from './grub-bios-embed.ts';

test('boot.img goes into the MBR keeping the partition table; core.img blocklist is patched', () => {
  const disk = join(tempDir('herd-grub-'), 'disk');
  const img = Buffer.alloc(4096 * 512);
  img.fill(0xee, 0x1be, 0x1fe); // a "partition table"
  img.writeUInt16LE(0xaa55, 510);
  writeFileSync(disk, img);
  const boot = Buffer.alloc(512, 0x11);
  const core = Buffer.alloc(3 * 512 - 100, 0x22);
  core.writeUInt16LE(0x820, 512 - 2); // segment in diskboot's blocklist
  const n = embedGrubBios(disk, boot, core, 2048, 6144);
  assert.equal(n, 3);
  const out = readFileSync(disk);
  assert.equal(out.readBigUInt64LE(0x5c), 2048n);
  assert.equal(out[0x66], 0x90);
  assert.ok(out.subarray(0x1be, 0x1fe).every((b) => b === 0xee), 'partition table kept');
  assert.equal(out.readUInt16LE(510), 0xaa55);
  assert.equal(out[0], 0x11, 'boot code written');
  const c = 2048 * 512;
  assert.equal(out.readBigUInt64LE(c + 500), 2049n, 'blocklist start = LBA + 1');
  assert.equal(out.readUInt16LE(c + 508), 2, 'blocklist length = sectors - 1');
  assert.equal(out.readUInt16LE(c + 510), 0x820, 'segment kept');
});

test('a core.img larger than the BIOS boot partition is refused', () => {
  const disk = join(tempDir('herd-grub-'), 'disk');
  writeFileSync(disk, Buffer.alloc(512 * 16));
  assert.throws(() => embedGrubBios(disk, Buffer.alloc(512), Buffer.alloc(512 * 10), 2, 4), { code: 'grub.core_too_big' });
});

/**
 * Against GRUB's own files rather than constants of this port: boot.img and diskboot.img (the first sector
 * of core.img) come with the values GRUB's tools write for a core.img right after the MBR (kernel sector 1,
 * blocklist from sector 2 for "sectors - 1" sectors, set by grub-mkimage). Embedding at LBA 1 must therefore
 * leave them exactly as GRUB made them, changing only the boot-drive check that grub-bios-setup also
 * replaces with NOPs on a hard disk; embedding elsewhere may change only the sector numbers.
 */
const GRUB_PC = '/usr/lib/grub/i386-pc';
const grubSkip = hasTools('grub-mkimage') && existsSync(join(GRUB_PC, 'boot.img')) ? false : 'needs grub-pc-bin (grub-mkimage, boot.img)';

test('on GRUB\'s own boot.img and core.img, the port writes exactly what GRUB\'s tools put there', { skip: grubSkip }, () => {
  const dir = tempDir('herd-grub-real-');
  const cfg = join(dir, 'early.cfg');
  writeFileSync(cfg, 'set prefix=(hd0,gpt1)/boot/grub\n');
  const core = join(dir, 'core.img');
  sh(['grub-mkimage', '-O', 'i386-pc', '-d', GRUB_PC, '-c', cfg, '-p', '/boot/grub', '-o', core, 'biosdisk', 'part_gpt', 'ext2']);
  const bootImg = readFileSync(join(GRUB_PC, 'boot.img'));
  const coreImg = readFileSync(core);
  const sectors = Math.ceil(coreImg.length / 512);

  const mbrOf = (disk: Buffer) => disk.subarray(0, 512);
  const embedAt = (lba: number) => {
    const disk = join(dir, `disk-${lba}`);
    const img = Buffer.alloc((lba + 4096) * 512);
    img.fill(0xee, 0x1be, 0x1fe);
    img.writeUInt16LE(0xaa55, 510);
    writeFileSync(disk, img);
    assert.equal(embedGrubBios(disk, bootImg, coreImg, lba, 4000), sectors);
    return readFileSync(disk);
  };

  // right after the MBR: GRUB's defaults are already right, only the drive check becomes NOPs
  const at1 = embedAt(1);
  const expectedMbr = Buffer.from(bootImg);
  expectedMbr[0x66] = 0x90;
  expectedMbr[0x67] = 0x90;
  expectedMbr.fill(0xee, 0x1be, 0x1fe); // the disk's partition table is kept
  expectedMbr.fill(0, 0x1b8, 0x1be); // and its (empty) disk signature
  assert.equal(bootImg[0x66], 0xeb, 'GRUB\'s boot.img has a jmp at the drive check that the port replaces');
  assert.deepEqual(mbrOf(at1), expectedMbr);
  assert.deepEqual(at1.subarray(512, 512 + coreImg.length), coreImg, 'core.img embedded at LBA 1 is byte for byte what grub-mkimage wrote');

  // in the BIOS boot partition: only the kernel sector and the blocklist start move
  const at2048 = embedAt(2048);
  const moved = Buffer.from(expectedMbr);
  moved.writeBigUInt64LE(2048n, 0x5c);
  assert.deepEqual(mbrOf(at2048), moved);
  const expectedCore = Buffer.from(coreImg);
  expectedCore.writeBigUInt64LE(2049n, 500);
  assert.deepEqual(at2048.subarray(2048 * 512, 2048 * 512 + coreImg.length), expectedCore);
});
