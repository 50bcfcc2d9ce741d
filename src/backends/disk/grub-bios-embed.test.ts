import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hasTools, sh } from '../../../test/helpers/host.ts';
import { join } from 'node:path';
import { embedGrubBios } from './grub-bios-embed.ts';
import { gptLayout, sfdiskScript } from './gpt-layout.ts';

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

/**
 * Against GRUB's own tool on the same inputs: grub-bios-setup (shipped in grub-pc-bin) embeds into an image
 * file laid out by gptLayout, its root-device guess pointed at that file through a private mountinfo (it
 * reads /proc/self/mountinfo; the bind mount lives in a mount namespace of its own, as root). The port's
 * output must equal GRUB's byte for byte, except where GRUB adds Reed-Solomon redundancy the port does not
 * write: the blocklist length (GRUB counts its redundancy sectors), the redundancy-size field of core.img's
 * second sector, and the redundancy bytes after core.img. It fails if the GPT has no BIOS boot partition
 * of the right type, as the disks did before it was written.
 */
const SETUP = join(GRUB_PC, 'grub-bios-setup');
const setupSkip = grubSkip || (process.getuid?.() !== 0 ? 'needs root (a mount namespace for grub-bios-setup)' : !existsSync(SETUP) || !hasTools('unshare', 'sfdisk') ? 'needs grub-bios-setup, unshare and sfdisk' : false);

test('the port writes what grub-bios-setup writes, but for GRUB\'s Reed-Solomon redundancy', { skip: setupSkip }, () => {
  const dir = tempDir('herd-grub-setup-');
  const tools = join(dir, 'i386-pc');
  mkdirSync(tools);
  copyFileSync(join(GRUB_PC, 'boot.img'), join(tools, 'boot.img'));
  sh(['grub-mkimage', '-O', 'i386-pc', '-d', GRUB_PC, '-p', '(hd0,gpt14)/boot/grub', '-o', join(tools, 'core.img'), 'biosdisk', 'part_gpt', 'ext2']);
  const blank = join(dir, 'blank.img');
  writeFileSync(blank, Buffer.alloc(0));
  truncateSync(blank, 64 * 1024 * 1024);
  const ids = { diskGuid: '11111111-2222-3333-4444-555555555555', rootPartUuid: '11111111-2222-3333-4444-555555555557', biosPartUuid: '11111111-2222-3333-4444-555555555556', espPartUuid: '11111111-2222-3333-4444-555555555558' };
  const parts = gptLayout(64 * 1024 * 1024, ['bios'], ids).map((p) => p.name === 'root' ? { ...p, start: 8192, sectors: 64 * 2048 - 8192 - 2048 } : p);
  sh(['sfdisk', '-q', blank], { input: sfdiskScript(blank, ids.diskGuid, parts) });
  const bios = parts.find((p) => p.name === 'bios')!;

  const port = join(dir, 'port.img');
  const grub = join(dir, 'grub.img');
  copyFileSync(blank, port);
  copyFileSync(blank, grub);
  const coreImg = readFileSync(join(tools, 'core.img'));
  embedGrubBios(port, readFileSync(join(tools, 'boot.img')), coreImg, bios.start, bios.sectors);

  writeFileSync(join(dir, 'device.map'), `(hd0) ${grub}\n`);
  writeFileSync(join(dir, 'mountinfo'), `1 0 7:0 / ${tools} rw - ext2 ${grub} rw\n`);
  // exec keeps the shell's PID, so /proc/self of grub-bios-setup is the file the bind mount covers
  sh(['unshare', '--mount', 'sh', '-c', 'mount --bind "$1" /proc/$$/mountinfo && exec "$2" --directory="$3" --device-map="$4" --skip-fs-probe "$5"',
    'sh', join(dir, 'mountinfo'), SETUP, tools, join(dir, 'device.map'), grub]);

  const a = readFileSync(port);
  const b = readFileSync(grub);
  assert.deepEqual(a.subarray(0, 512), b.subarray(0, 512), 'MBR: boot.img, kernel sector, drive check, kept partition table');
  const c = bios.start * 512;
  const coreEnd = c + coreImg.length; // GRUB's redundancy starts right after core.img's last byte
  const differing: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing.push(i);
  const allowed = (i: number) => i === c + 508 || i === c + 509 // blocklist length: GRUB adds its redundancy sectors
    || (i >= c + 512 + 0x10 && i < c + 512 + 0x14) // GRUB_KERNEL_I386_PC_REED_SOLOMON_REDUNDANCY
    || (i >= coreEnd && i < c + bios.sectors * 512); // the redundancy bytes after core.img
  assert.deepEqual(differing.filter((i) => !allowed(i)).map((i) => `offset ${i}: port ${a[i]} grub ${b[i]}`), []);
  assert.ok(differing.length > 0, 'GRUB wrote its redundancy, so the comparison saw GRUB\'s output');
});
