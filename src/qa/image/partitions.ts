import { AppError } from '../../errors.ts';
import { runCommand, which } from '../../backends/host/run-command.ts';

export type PartitionRole = 'root' | 'esp' | 'bios-boot' | 'other';

export interface Partition {
  number: number;
  role: PartitionRole;
  /** Byte offset of the partition inside the disk image. */
  offset: number;
  size: number;
  type: string;
}

export interface PartitionTable {
  label: string;
  sectorSize: number;
  partitions: Partition[];
}

const TYPES: Record<string, PartitionRole> = {
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': 'root', // Linux root x86-64
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'root', // Linux filesystem
  'B921B045-1DF0-41C3-AF44-4C6F280D3FAE': 'root', // Linux root arm64
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': 'esp',
  '21686148-6449-6E6F-744E-656564454649': 'bios-boot',
};

interface SfdiskJson {
  partitiontable?: {
    label?: string;
    sectorsize?: number;
    partitions?: Array<{ node?: string; start?: number; size?: number; type?: string }>;
  };
}

/** Reads the partition table of a raw disk image with `sfdisk --json` (no loop device). */
export async function readPartitionTable(rawImage: string): Promise<PartitionTable> {
  const sfdisk = which('sfdisk') ?? 'sfdisk';
  const r = await runCommand([sfdisk, '--json', rawImage], { allowFailure: true });
  if (r.code !== 0) {
    throw new AppError('qa.no_partition_table', `${rawImage} has no readable partition table`, {
      hint: 'herd test expects a raw or qcow2 GPT disk image (disk.raw / disk.qcow2 from herd build)',
      details: r.stderr.trim(),
    });
  }
  return parseSfdiskJson(r.stdout);
}

export function parseSfdiskJson(text: string): PartitionTable {
  const pt = (JSON.parse(text) as SfdiskJson).partitiontable ?? {};
  const sectorSize = pt.sectorsize ?? 512;
  const partitions = (pt.partitions ?? []).map((p): Partition => {
    const type = (p.type ?? '').toUpperCase();
    return {
      number: Number(/(\d+)$/.exec(p.node ?? '')?.[1] ?? 0),
      role: TYPES[type] ?? 'other',
      offset: (p.start ?? 0) * sectorSize,
      size: (p.size ?? 0) * sectorSize,
      type,
    };
  });
  return { label: pt.label ?? 'unknown', sectorSize, partitions };
}

/** Herd's layout puts the root fs in partition 1; fall back to the first Linux partition. */
export function rootPartition(table: PartitionTable): Partition {
  const roots = table.partitions.filter((p) => p.role === 'root');
  const root = roots.find((p) => p.number === 1) ?? roots[0];
  if (!root) {
    throw new AppError('qa.no_root_partition', 'no Linux root partition found in the image', {
      hint: 'the image must carry a GPT partition of type "Linux root (x86-64)" or "Linux filesystem"',
    });
  }
  return root;
}
