import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hasTools, sh } from '../../../test/helpers/host.ts';
import { join } from 'node:path';
import { embedGrubBios } from './grub-bios-embed.ts';
import { syndromes } from './grub-reed-solomon.ts';
import { gptLayout, sfdiskScript } from './gpt-layout.ts';

test('boot.img goes into the MBR keeping the partition table; core.img is embedded with its redundancy and blocklist', () => {
  const disk = join(tempDir('herd-grub-'), 'disk');
  const img = Buffer.alloc(4096 * 512);
  img.fill(0xee, 0x1be, 0x1fe); // a "partition table"
  img.writeUInt16LE(0xaa55, 510);
  writeFileSync(disk, img);
  const boot = Buffer.alloc(512, 0x11);
  boot.writeUInt16LE(0xaa55, 510); // boot.img carries the boot signature, as GRUB's does
  const core = Buffer.alloc(3 * 512 - 100);
  for (let i = 0; i < core.length; i++) core[i] = (i * 7 + 3) & 0xff;
  core.writeUInt16LE(0x820, 512 - 2); // segment in diskboot's blocklist
  core.writeUInt16LE(0x40, 512 + 0x14); // the first 0x40 bytes of kernel.img are not covered
  const n = embedGrubBios(disk, boot, core, 2048, 6144);
  assert.equal(n, 6, 'as much room for redundancy as core.img takes');
  const out = readFileSync(disk);
  assert.equal(out.readBigUInt64LE(0x5c), 2048n);
  assert.equal(out[0x66], 0x90);
  assert.ok(out.subarray(0x1be, 0x1fe).every((b) => b === 0xee), 'partition table kept');
  assert.equal(out.readUInt16LE(510), 0xaa55);
  assert.equal(out[0], 0x11, 'boot code written');
  const c = 2048 * 512;
  assert.equal(out.readBigUInt64LE(c + 500), 2049n, 'blocklist start = LBA + 1');
  assert.equal(out.readUInt16LE(c + 508), 5, 'blocklist length = all embedded sectors but the first');
  assert.equal(out.readUInt16LE(c + 510), 0x820, 'segment kept');
  const redundancy = 6 * 512 - core.length;
  assert.equal(out.readUInt32LE(c + 512 + 0x10), redundancy, 'redundancy size recorded for GRUB\'s startup code');
  const embedded = out.subarray(c, c + 6 * 512);
  const untouched = [...core.keys()].filter((i) => i < 500 || (i >= 512 && (i < 512 + 0x10 || i >= 512 + 0x14)));
  assert.deepEqual(untouched.filter((i) => embedded[i] !== core[i]), [], 'core.img bytes unchanged but for the patched fields');
  // each column (byte i of every sector) of covered data + redundancy is a Reed-Solomon code word
  const start = 512 + 0x40;
  const data = embedded.subarray(start, core.length);
  const red = embedded.subarray(core.length, 6 * 512);
  for (let i = 0; i < 512; i++) {
    const col = [...data.filter((_, k) => k % 512 === i), ...red.filter((_, k) => k % 512 === i)];
    const rr = Math.floor((redundancy + 511 - i) / 512);
    assert.deepEqual(syndromes(Uint8Array.from(col), rr), new Array(rr).fill(0), `column ${i}`);
  }
  assert.ok(red.some((b) => b !== 0), 'redundancy written');
});

test('a core.img without the Reed-Solomon header, or shorter than its header says, is refused', () => {
  const disk = join(tempDir('herd-grub-'), 'disk');
  writeFileSync(disk, Buffer.alloc(512 * 64));
  const core = Buffer.alloc(1024);
  core.writeUInt16LE(0xffff, 512 + 0x14);
  assert.throws(() => embedGrubBios(disk, Buffer.alloc(512), core, 2, 40), { code: 'grub.core_version' });
  core.writeUInt16LE(4000, 512 + 0x14);
  assert.throws(() => embedGrubBios(disk, Buffer.alloc(512), core, 2, 40), { code: 'grub.bad_core_img' });
  assert.throws(() => embedGrubBios(disk, Buffer.alloc(512), Buffer.alloc(512), 2, 40), { code: 'grub.bad_core_img' });
});

test('a core.img larger than the BIOS boot partition is refused', () => {
  const disk = join(tempDir('herd-grub-'), 'disk');
  writeFileSync(disk, Buffer.alloc(512 * 16));
  assert.throws(() => embedGrubBios(disk, Buffer.alloc(512), Buffer.alloc(512 * 10), 2, 4), { code: 'grub.core_too_big' });
});

/**
 * Against GRUB's own files rather than constants of this port: boot.img and diskboot.img (the first sector
 * of core.img) come with the values GRUB's tools write for a core.img right after the MBR (kernel sector 1,
 * blocklist from sector 2). Embedding must leave every other byte of them as GRUB made them: the MBR
 * changes only by the boot-drive check that grub-bios-setup also replaces with NOPs on a hard disk and the
 * kernel sector; core.img only by the blocklist and the redundancy size.
 */
const GRUB_PC = '/usr/lib/grub/i386-pc';
const grubSkip = hasTools('grub-mkimage') && existsSync(join(GRUB_PC, 'boot.img')) ? false : 'needs grub-pc-bin (grub-mkimage, boot.img)';

test('on GRUB\'s own boot.img and core.img, the port changes only the fields grub-bios-setup sets', { skip: grubSkip }, () => {
  const dir = tempDir('herd-grub-real-');
  const cfg = join(dir, 'early.cfg');
  writeFileSync(cfg, 'set prefix=(hd0,gpt1)/boot/grub\n');
  const core = join(dir, 'core.img');
  sh(['grub-mkimage', '-O', 'i386-pc', '-d', GRUB_PC, '-c', cfg, '-p', '/boot/grub', '-o', core, 'biosdisk', 'part_gpt', 'ext2']);
  const bootImg = readFileSync(join(GRUB_PC, 'boot.img'));
  const coreImg = readFileSync(core);
  const sectors = Math.ceil(coreImg.length / 512);

  const disk = join(dir, 'disk');
  const img = Buffer.alloc(8192 * 512);
  img.fill(0xee, 0x1be, 0x1fe);
  img.writeUInt16LE(0xaa55, 510);
  writeFileSync(disk, img);
  assert.equal(embedGrubBios(disk, bootImg, coreImg, 2048, 4096), 2 * sectors);
  const out = readFileSync(disk);

  const expectedMbr = Buffer.from(bootImg);
  assert.equal(bootImg[0x66], 0xeb, 'GRUB\'s boot.img has a jmp at the drive check that the port replaces');
  expectedMbr[0x66] = 0x90;
  expectedMbr[0x67] = 0x90;
  expectedMbr.writeBigUInt64LE(2048n, 0x5c);
  expectedMbr.fill(0xee, 0x1be, 0x1fe); // the disk's partition table is kept
  expectedMbr.fill(0, 0x1b8, 0x1be); // and its (empty) disk signature
  assert.deepEqual(out.subarray(0, 512), expectedMbr);
  const expectedCore = Buffer.from(coreImg);
  expectedCore.writeBigUInt64LE(2049n, 500);
  expectedCore.writeUInt16LE(2 * sectors - 1, 508);
  expectedCore.writeUInt32LE(2 * sectors * 512 - coreImg.length, 512 + 0x10);
  assert.deepEqual(out.subarray(2048 * 512, 2048 * 512 + coreImg.length), expectedCore);
});

/**
 * Against GRUB's own tool on the same inputs: grub-bios-setup (shipped in grub-pc-bin) embeds into an image
 * file laid out by gptLayout, its root-device guess pointed at that file through a private mountinfo (it
 * reads /proc/self/mountinfo; the bind mount lives in a mount namespace of its own, as root). The port's
 * output must equal GRUB's byte for byte over the whole disk, Reed-Solomon redundancy included. It fails if
 * the GPT has no BIOS boot partition of the right type, as the disks did before it was written.
 */
const SETUP = join(GRUB_PC, 'grub-bios-setup');
const setupSkip = grubSkip || (process.getuid?.() !== 0 ? 'needs root (a mount namespace for grub-bios-setup)' : !existsSync(SETUP) || !hasTools('unshare', 'sfdisk') ? 'needs grub-bios-setup, unshare and sfdisk' : false);

test('the port writes exactly what grub-bios-setup writes, byte for byte', { skip: setupSkip }, () => {
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
  assert.ok(!b.equals(readFileSync(blank)), 'grub-bios-setup wrote to its disk');
  const differing: number[] = [];
  for (let i = 0; i < a.length && differing.length < 20; i++) if (a[i] !== b[i]) differing.push(i);
  assert.deepEqual(differing.map((i) => `offset ${i} (LBA ${Math.floor(i / 512)}): port ${a[i]} grub ${b[i]}`), []);
});
