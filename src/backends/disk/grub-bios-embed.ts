import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { AppError } from '../../errors.ts';
import { addRedundancy } from './grub-reed-solomon.ts';

const SECTOR = 512;
/** Offsets in core.img's second sector (kernel.img's header, include/grub/offsets.h). */
const RS_REDUNDANCY = 0x10;
const NO_RS_LENGTH = 0x14;
/** GRUB loads core.img at 0x9000 and must stay below 0x78000: the most sectors it embeds (redundancy included). */
const MAX_EMBED_SECTORS = (0x78000 - 0x9000) >> 9;

/**
 * What grub-bios-setup does, on a disk image file: boot.img into the MBR (keeping the partition table),
 * core.img into the BIOS boot partition with GRUB's Reed-Solomon redundancy after it, and the sector
 * pointers patched. No loop device, no grub-pc on the host. The output is byte-identical to
 * grub-bios-setup's on the same disk (grub-bios-embed.test.ts runs the real tool to prove it).
 * Returns the number of sectors written to the BIOS boot partition.
 */
export function embedGrubBios(disk: string, bootImg: Buffer, coreImg: Buffer, startLba: number, maxSectors: number): number {
  if (bootImg.length !== SECTOR) throw new AppError('grub.bad_boot_img', `boot.img is ${bootImg.length} bytes, expected 512`, { kind: 'dependency', hint: 'reinstall grub-pc-bin' });
  const coreSectors = Math.ceil(coreImg.length / SECTOR);
  if (coreSectors > maxSectors) throw new AppError('grub.core_too_big', `core.img needs ${coreSectors} sectors, the BIOS boot partition has ${maxSectors}`, { kind: 'internal' });
  // as grub-bios-setup: room for as much redundancy as data, within the partition and GRUB's load limit
  const nsec = Math.min(maxSectors, 2 * coreSectors, MAX_EMBED_SECTORS);
  if (coreImg.length < 2 * SECTOR || nsec < coreSectors) {
    throw new AppError('grub.bad_core_img', `core.img is ${coreImg.length} bytes: too small for GRUB's two-sector header`, { kind: 'dependency', hint: 'reinstall grub-pc-bin' });
  }
  const core = Buffer.alloc(nsec * SECTOR);
  coreImg.copy(core);
  const noRsLength = core.readUInt16LE(SECTOR + NO_RS_LENGTH);
  if (noRsLength !== 0xffff && SECTOR + noRsLength > coreImg.length) {
    throw new AppError('grub.bad_core_img', `core.img says ${noRsLength} bytes are not covered by redundancy, but it is ${coreImg.length} bytes long`, { kind: 'dependency', hint: 'reinstall grub-pc-bin' });
  }
  if (noRsLength === 0xffff) throw new AppError('grub.core_version', 'core.img has no Reed-Solomon header (version mismatch)', { kind: 'dependency', hint: 'boot.img and core.img must come from the same grub-pc-bin' });

  const fd = openSync(disk, 'r+');
  try {
    const mbr = Buffer.alloc(SECTOR);
    readSync(fd, mbr, 0, SECTOR, 0);
    const boot = Buffer.from(bootImg);
    mbr.copy(boot, 0x03, 0x03, 0x5a); // keep the BPB area
    mbr.copy(boot, 0x1b8, 0x1b8, 0x1fe); // keep disk signature and the protective MBR partition table
    boot.writeBigUInt64LE(BigInt(startLba), 0x5c); // GRUB_BOOT_MACHINE_KERNEL_SECTOR
    boot[0x64] = 0xff; // GRUB_BOOT_MACHINE_BOOT_DRIVE: use the drive the BIOS booted from
    boot[0x66] = 0x90; // GRUB_BOOT_MACHINE_DRIVE_CHECK: always boot from a hard disk
    boot[0x67] = 0x90;
    // diskboot.img (first sector of core.img) ends with a blocklist: start u64, length u16, segment u16;
    // one contiguous run covers the rest of core.img and its redundancy
    const off = SECTOR - 12;
    core.writeBigUInt64LE(BigInt(startLba + 1), off);
    core.writeUInt16LE(nsec - 1, off + 8);
    const redundancy = nsec * SECTOR - coreImg.length;
    core.writeUInt32LE(redundancy, SECTOR + RS_REDUNDANCY);
    // the startup code before noRsLength repairs the rest, so it is not itself covered
    const start = SECTOR + noRsLength;
    addRedundancy(core, start, coreImg.length - start, redundancy);
    writeSync(fd, boot, 0, SECTOR, 0);
    writeSync(fd, core, 0, core.length, startLba * SECTOR);
  } finally {
    closeSync(fd);
  }
  return nsec;
}
