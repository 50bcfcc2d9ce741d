import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface GrowFacts {
  partitionBytes: number;
  filesystemBytes: number;
  /** Root partition size in the image, and bytes added to the virtual disk before boot. */
  originalBytes: number;
  growBytes: number;
}

const MiB = 1024 * 1024;

export function evaluateGrowpart(f: GrowFacts) {
  const out = [];
  // GPT keeps 1 MiB for its backup header and alignment may cost another MiB.
  const wanted = f.originalBytes + f.growBytes - 4 * MiB;
  if (f.partitionBytes < wanted) {
    out.push(finding(`root partition is ${mib(f.partitionBytes)} MiB; expected at least ${mib(wanted)} MiB after growpart`));
  }
  if (f.filesystemBytes < 0.9 * Math.max(f.partitionBytes, wanted)) {
    out.push(finding(`root filesystem is ${mib(f.filesystemBytes)} MiB: it was not resized to fill the partition`));
  }
  return out;
}

const mib = (n: number) => Math.round(n / MiB);

export const growpart: BootCheck = {
  id: 'B4',
  title: 'root partition and filesystem grew to fill the larger disk',
  async run({ sh, rootPartitionBytes, growBytes }) {
    const r = await sh('src=$(findmnt -no SOURCE /); lsblk -bdno SIZE "$src"; df -B1 --output=size / | tail -n1');
    const [part, fs] = r.stdout.trim().split('\n').map((l) => Number(l.trim()));
    if (!part || !fs) return [finding(`could not read the root device size: ${r.stderr.trim() || r.stdout.trim()}`)];
    return evaluateGrowpart({ partitionBytes: part, filesystemBytes: fs, originalBytes: rootPartitionBytes, growBytes });
  },
};
