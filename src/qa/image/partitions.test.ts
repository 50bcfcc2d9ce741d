import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSfdiskJson, rootPartition } from './partitions.ts';

// `sfdisk --json` of Herd's 2 GiB layout (root is partition 1 but last on disk).
const HERD = JSON.stringify({ partitiontable: { label: 'gpt', unit: 'sectors', sectorsize: 512, partitions: [
  { node: 'disk.raw1', start: 262144, size: 3930112, type: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709' },
  { node: 'disk.raw14', start: 2048, size: 6144, type: '21686148-6449-6E6F-744E-656564454649' },
  { node: 'disk.raw15', start: 8192, size: 253952, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B' },
] } });

describe('partition table', () => {
  it('finds roles and byte offsets', () => {
    const t = parseSfdiskJson(HERD);
    assert.deepEqual(t.partitions.map((p) => [p.number, p.role, p.offset]), [[1, 'root', 134217728], [14, 'bios-boot', 1048576], [15, 'esp', 4194304]]);
    assert.equal(rootPartition(t).size, 3930112 * 512);
  });

  it('explains a disk without a Linux root partition', () => {
    const t = parseSfdiskJson(JSON.stringify({ partitiontable: { label: 'gpt', partitions: [] } }));
    assert.throws(() => rootPartition(t), (e: any) => e.code === 'qa.no_root_partition' && /Linux root/.test(e.hint));
  });
});
