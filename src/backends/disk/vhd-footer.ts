import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { AppError } from '../../errors.ts';

/** Seconds from the Unix epoch to the VHD epoch (2000-01-01T00:00:00Z). */
const VHD_EPOCH = 946_684_800;

export interface VhdFooter { timestamp: number; uuid: string; diskType: number; checksum: number; currentSize: bigint; creatorApp: string }

/**
 * qemu-img stamps a VHD footer with the wall-clock time and a random UUID. Rewrites both (time from
 * SOURCE_DATE_EPOCH, UUID from the disk content) and the checksum over them, in the footer at the end
 * and in the copy a dynamic VHD keeps at its start.
 */
export function pinVhdFooter(file: string, o: { epoch: number; uuid: string }): void {
  const uuid = Buffer.from(o.uuid.replace(/-/g, ''), 'hex');
  if (uuid.length !== 16) throw new AppError('convert.bad_vhd_uuid', `not a UUID: "${o.uuid}"`, { kind: 'internal' });
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    const at = [size - 512, ...(size >= 1024 ? [0] : [])].filter((off) => isFooter(readAt(fd, off)));
    if (!at.includes(size - 512)) {
      throw new AppError('convert.not_vhd', `${file} has no VHD footer ("conectix") in its last 512 bytes`, { kind: 'internal', hint: 'check qemu-img (qemu-utils)' });
    }
    for (const off of at) {
      const f = readAt(fd, off);
      f.writeUInt32BE(Math.max(0, o.epoch - VHD_EPOCH), 24);
      uuid.copy(f, 68);
      f.writeUInt32BE(vhdChecksum(f), 64);
      writeSync(fd, f, 0, 512, off);
    }
  } finally {
    closeSync(fd);
  }
}

export function readVhdFooter(file: string): VhdFooter {
  const fd = openSync(file, 'r');
  try {
    const f = readAt(fd, fstatSync(fd).size - 512);
    if (!isFooter(f)) throw new AppError('convert.not_vhd', `${file} has no VHD footer`, { kind: 'internal' });
    const u = f.subarray(68, 84).toString('hex');
    return {
      timestamp: f.readUInt32BE(24) + VHD_EPOCH,
      uuid: `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`,
      diskType: f.readUInt32BE(60),
      checksum: f.readUInt32BE(64),
      currentSize: f.readBigUInt64BE(48),
      creatorApp: f.toString('latin1', 28, 32),
    };
  } finally {
    closeSync(fd);
  }
}

/** One's complement of the byte sum of the footer, its checksum field counted as zero (VHD spec). */
export function vhdChecksum(footer: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i]!;
  return ~sum >>> 0;
}

function readAt(fd: number, off: number): Buffer {
  const b = Buffer.alloc(512);
  readSync(fd, b, 0, 512, off);
  return b;
}

const isFooter = (b: Buffer) => b.toString('latin1', 0, 8) === 'conectix';
