import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { AppError } from '../../errors.ts';

/**
 * qemu-img writes a random content id (CID) into a VMDK's embedded descriptor. A base disk's CID only has
 * to differ from its children's parentCID, so a value derived from the disk content serves as well and
 * makes the file reproducible. The descriptor has a fixed size in the file: no offset moves.
 */
export function pinVmdkCid(file: string, cid: string): void {
  if (!/^[0-9a-f]{8}$/.test(cid)) throw new AppError('convert.bad_vmdk_cid', `VMDK CID must be 8 lowercase hex digits, got "${cid}"`, { kind: 'internal' });
  const fd = openSync(file, 'r+');
  try {
    const header = Buffer.alloc(512);
    readSync(fd, header, 0, 512, 0);
    if (header.toString('latin1', 0, 4) !== 'KDMV') throw notVmdk(file, 'no KDMV magic');
    // SparseExtentHeader: descriptorOffset and descriptorSize (u64, in sectors) at 28 and 36
    const offset = Number(header.readBigUInt64LE(28)) * 512;
    const size = Number(header.readBigUInt64LE(36)) * 512;
    if (!offset || !size || size > 1024 * 1024) throw notVmdk(file, 'no embedded descriptor');
    const desc = Buffer.alloc(size);
    readSync(fd, desc, 0, size, offset);
    // qemu prints the CID with %x, not %08x: a random CID with leading zeros is shorter than 8 digits, so the
    // line is rewritten and the descriptor (text, then zero padding to its fixed size) written back whole
    const end = desc.indexOf(0);
    const text = desc.toString('latin1', 0, end < 0 ? size : end);
    if (!/^CID=[0-9a-fA-F]{1,8}$/m.test(text)) throw notVmdk(file, 'the descriptor has no CID line');
    const out = Buffer.alloc(size);
    const written = out.write(text.replace(/^CID=[0-9a-fA-F]{1,8}$/m, `CID=${cid}`), 'latin1');
    if (written >= size) throw notVmdk(file, 'no room left in the descriptor');
    writeSync(fd, out, 0, size, offset);
  } finally {
    closeSync(fd);
  }
}

/** The CID written in a VMDK's descriptor (for tests and checks). */
export function readVmdkCid(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(512);
    readSync(fd, header, 0, 512, 0);
    const desc = Buffer.alloc(Number(header.readBigUInt64LE(36)) * 512);
    readSync(fd, desc, 0, desc.length, Number(header.readBigUInt64LE(28)) * 512);
    return /^CID=([0-9a-fA-F]{1,8})$/m.exec(desc.toString('latin1'))?.[1];
  } finally {
    closeSync(fd);
  }
}

function notVmdk(file: string, why: string) {
  return new AppError('convert.not_vmdk', `${file} is not a VMDK qemu-img wrote: ${why}`, { kind: 'internal', hint: 'check qemu-img (qemu-utils)' });
}
