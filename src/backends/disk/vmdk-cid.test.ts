import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import { pinVmdkCid, readVmdkCid } from './vmdk-cid.ts';

/** A VMDK head as qemu-img writes it: KDMV header, descriptor at sector 1 (20 sectors), CID printed with %x. */
function vmdk(cidLine: string): Buffer {
  const b = Buffer.alloc(64 * 512);
  b.write('KDMV', 0, 'latin1');
  b.writeBigUInt64LE(1n, 28);
  b.writeBigUInt64LE(20n, 36);
  b.write(`# Disk DescriptorFile\nversion=1\n${cidLine}\nparentCID=ffffffff\ncreateType="streamOptimized"\n`, 512, 'latin1');
  b.fill(0x5a, 21 * 512); // grain data after the descriptor must not move
  return b;
}

test('a CID qemu printed with fewer than 8 digits (leading zeros) is pinned too, nothing else moves', () => {
  const dir = tempDir('herd-vmdk-');
  const short = join(dir, 'short.vmdk');
  const long = join(dir, 'long.vmdk');
  writeFileSync(short, vmdk('CID=a1b2c'));
  writeFileSync(long, vmdk('CID=9a1b2c3d'));
  pinVmdkCid(short, '0badcafe');
  pinVmdkCid(long, '0badcafe');
  assert.equal(readVmdkCid(short), '0badcafe');
  assert.deepEqual(readFileSync(short), readFileSync(long), 'same bytes whatever CID qemu drew');
  assert.ok(readFileSync(short).subarray(21 * 512).every((x) => x === 0x5a));
  assert.match(readFileSync(short).toString('latin1', 512, 1024), /\nparentCID=ffffffff\ncreateType="streamOptimized"\n\0/);
});

test('a file that is not a VMDK, or has no CID, is refused', () => {
  const dir = tempDir('herd-vmdk-');
  writeFileSync(join(dir, 'x'), Buffer.alloc(4096));
  assert.throws(() => pinVmdkCid(join(dir, 'x'), '01234567'), { code: 'convert.not_vmdk' });
  writeFileSync(join(dir, 'y'), vmdk('NOCID=1'));
  assert.throws(() => pinVmdkCid(join(dir, 'y'), '01234567'), { code: 'convert.not_vmdk' });
});
