import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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
