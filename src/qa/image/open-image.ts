import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../errors.ts';
import { requireTools, runCommand } from '../../backends/host/run-command.ts';
import { readPartitionTable, type PartitionTable } from './partitions.ts';

export type ImageFormat = 'raw' | 'qcow2';

export interface OpenImage {
  /** The file the user named. */
  path: string;
  format: ImageFormat;
  virtualSize: number;
  /** A raw view of the disk: the image itself, or a sparse temporary conversion of a qcow2. */
  rawPath: string;
  table: PartitionTable;
  close(): Promise<void>;
}

export async function detectFormat(path: string): Promise<{ format: ImageFormat; virtualSize: number }> {
  await stat(path).catch(() => {
    throw new AppError('qa.image_not_found', `image not found: ${path}`, {
      kind: 'not_found', hint: 'pass the disk.raw or disk.qcow2 written by `herd build`',
    });
  });
  requireTools(['qemu-img']);
  const r = await runCommand(['qemu-img', 'info', '--output=json', path]);
  const info = JSON.parse(r.stdout) as { format?: string; 'virtual-size'?: number };
  if (info.format !== 'raw' && info.format !== 'qcow2') {
    throw new AppError('qa.image_format', `unsupported image format "${info.format}" for ${path}`, {
      hint: 'herd test reads raw and qcow2 disks; convert others with qemu-img convert -O qcow2',
    });
  }
  return { format: info.format, virtualSize: info['virtual-size'] ?? 0 };
}

/** Opens an image for reading without mounting it; call close() to drop temporary copies. */
export async function openImage(path: string): Promise<OpenImage> {
  const { format, virtualSize } = await detectFormat(path);
  let tmp: string | undefined;
  let rawPath = path;
  if (format === 'qcow2') {
    tmp = await mkdtemp(join(tmpdir(), 'herd-qa-raw-'));
    rawPath = join(tmp, 'disk.raw');
    await runCommand(['qemu-img', 'convert', '-f', 'qcow2', '-O', 'raw', '-S', '4k', path, rawPath]);
  }
  const close = async () => { if (tmp) await rm(tmp, { recursive: true, force: true }); };
  try {
    const table = await readPartitionTable(rawPath);
    return { path, format, virtualSize, rawPath, table, close };
  } catch (e) {
    await close();
    throw e;
  }
}
