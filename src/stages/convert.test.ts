import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { hasTools, sh } from '../../test/helpers/host.ts';
import { runCommand } from '../backends/host/run-command.ts';
import { sha256File } from '../backends/fs/checksum.ts';
import { formats } from '../catalog/formats.ts';
import { converters } from './convert.ts';
import { readVmdkCid } from '../backends/disk/vmdk-cid.ts';
import { readVhdFooter, vhdChecksum } from '../backends/disk/vhd-footer.ts';

const skip = hasTools('qemu-img', 'xz', 'tar', 'gzip', 'cp') ? false : 'needs qemu-img, xz, GNU tar, gzip';
const MiB = 1024 ** 2;
const EPOCH = 1_700_000_000;
const ctx = { run: (argv: string[], opts?: Parameters<typeof runCommand>[1]) => runCommand(argv, opts) };

/** A small sparse "disk": a few MiB of pseudo-random data at scattered offsets, zeros (holes) elsewhere. */
function makeRaw(path: string): void {
  truncateSync((writeFileSync(path, ''), path), 24 * MiB);
  const fd = openSync(path, 'r+');
  for (const [i, off] of [0, 3 * MiB + 512, 11 * MiB, 24 * MiB - 4096].entries()) {
    const chunk = Buffer.alloc(i === 2 ? 2 * MiB : 4096);
    for (let o = 0; o < chunk.length; o += 32) createHash('sha256').update(`${i}:${o}`).digest().copy(chunk, o);
    writeSync(fd, chunk, 0, chunk.length, off);
  }
  closeSync(fd);
}

async function convertAll(dir: string, raw: string): Promise<Record<string, string>> {
  const rawSha256 = await sha256File(raw);
  const out: Record<string, string> = {};
  for (const [format, convert] of Object.entries(converters)) {
    const file = join(dir, formats[format as keyof typeof formats].file);
    await convert(ctx, { raw, out: file, work: join(dir, 'work'), epoch: EPOCH, rawSha256 });
    out[format] = await sha256File(file);
  }
  return out;
}

test('every format is bit-identical across two conversions at different times, from differently stored copies', { skip }, async () => {
  const a = tempDir('herd-convert-a-');
  const b = tempDir('herd-convert-b-');
  // different folders, but the same file name: the VMDK descriptor names its extent by file name
  mkdirSync(join(a, 'in'));
  mkdirSync(join(b, 'in'));
  const rawA = join(a, 'in', 'disk.raw');
  makeRaw(rawA);
  const first = await convertAll(a, rawA);

  // the second copy is fully allocated (no holes), has another mode and mtime, and is converted on a later second
  const rawB = join(b, 'in', 'disk.raw');
  sh(['cp', '--sparse=never', rawA, rawB]);
  chmodSync(rawB, 0o600);
  utimesSync(rawB, 1_234_567, 1_234_567);
  assert.ok(statSync(rawB).blocks > statSync(rawA).blocks, 'the second copy is stored differently');
  await new Promise((r) => setTimeout(r, 1100)); // qemu-img stamps VHDs with the current second
  const second = await convertAll(b, rawB);

  assert.deepEqual(Object.keys(first).sort(), ['ec2', 'gce', 'openstack', 'qcow2', 'raw.xz', 'vhd', 'vmdk']);
  assert.deepEqual(Object.keys(first).filter((f) => second[f] !== first[f]), [], 'formats that differ between the two conversions');
});

test('qemu-img alone randomises VMDK and VHD: the pinned fields are what makes them equal, and the files stay valid', { skip }, async () => {
  const d = tempDir('herd-convert-pin-');
  const raw = join(d, 'disk.raw');
  makeRaw(raw);
  const plain = (n: number, fmt: string, opts: string) => {
    mkdirSync(join(d, String(n)), { recursive: true });
    const f = join(d, String(n), `disk.${fmt}`);
    sh(['qemu-img', 'convert', '-f', 'raw', '-O', fmt, '-o', opts, raw, f]);
    return readFileSync(f);
  };
  // without pinning, two VMDKs differ (random CID): the equality above is not luck
  assert.notDeepEqual(plain(1, 'vmdk', 'subformat=streamOptimized'), plain(2, 'vmdk', 'subformat=streamOptimized'));

  const out = await convertAll(d, raw);
  assert.equal(Object.keys(out).length, 7);
  const rawSha = await sha256File(raw);
  const cid = readVmdkCid(join(d, 'disk.vmdk'));
  assert.match(cid!, /^[0-9a-f]{8}$/);
  assert.notEqual(cid, 'ffffffff');
  const vhd = readVhdFooter(join(d, 'disk.vhd'));
  assert.equal(vhd.timestamp, EPOCH);
  assert.equal(vhd.diskType, 2, 'fixed VHD');
  assert.equal(vhd.currentSize, 24n * BigInt(MiB));
  const footer = readFileSync(join(d, 'disk.vhd')).subarray(-512);
  assert.equal(vhd.checksum, vhdChecksum(footer), 'footer checksum matches the rewritten fields');
  assert.notEqual(vhd.uuid, '00000000-0000-0000-0000-000000000000');
  // the patched files still hold exactly the raw disk
  sh(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', 'vmdk', raw, join(d, 'disk.vmdk')]);
  sh(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', 'vpc', raw, join(d, 'disk.vhd')]);
  sh(['qemu-img', 'compare', '-q', '-f', 'raw', '-F', 'qcow2', raw, join(d, 'disk.qcow2')]);
  mkdirSync(join(d, 'x'));
  sh(['tar', '-xzf', join(d, 'disk.gce.tar.gz'), '-C', join(d, 'x')]);
  assert.deepEqual(sh(['tar', '-tzf', join(d, 'disk.gce.tar.gz')]).split('\n').filter(Boolean), ['disk.raw']);
  assert.equal(await sha256File(join(d, 'x', 'disk.raw')), rawSha);
  assert.equal(createHash('sha256').update(execFileSync('xz', ['-dc', join(d, 'disk.raw.xz')], { maxBuffer: 64 * MiB })).digest('hex'), rawSha);
});
