import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { AppError } from '../../errors.ts';

/**
 * What grub-bios-setup does, on a disk image file: boot.img into the MBR (keeping the partition table),
 * core.img into the BIOS boot partition, and the sector pointers patched. No loop device, no grub-pc on the host.
 */
export function embedGrubBios(disk: string, bootImg: Buffer, coreImg: Buffer, startLba: number, maxSectors: number): number {
  if (bootImg.length !== 512) throw new AppError('grub.bad_boot_img', `boot.img is ${bootImg.length} bytes, expected 512`, { kind: 'dependency', hint: 'reinstall grub-pc-bin' });
  const core = Buffer.alloc(Math.ceil(coreImg.length / 512) * 512);
  coreImg.copy(core);
  const sectors = core.length / 512;
  if (sectors > maxSectors) throw new AppError('grub.core_too_big', `core.img needs ${sectors} sectors, the BIOS boot partition has ${maxSectors}`, { kind: 'internal' });

  const fd = openSync(disk, 'r+');
  try {
    const mbr = Buffer.alloc(512);
    readSync(fd, mbr, 0, 512, 0);
    const boot = Buffer.from(bootImg);
    mbr.copy(boot, 0x03, 0x03, 0x5a); // keep the BPB area
    mbr.copy(boot, 0x1b8, 0x1b8, 0x200); // keep disk signature, protective MBR partition table, 0x55AA
    boot.writeBigUInt64LE(BigInt(startLba), 0x5c); // GRUB_BOOT_MACHINE_KERNEL_SECTOR
    boot[0x66] = 0x90; // GRUB_BOOT_MACHINE_DRIVE_CHECK: always boot from a hard disk
    boot[0x67] = 0x90;
    // diskboot.img (first sector of core.img) ends with a blocklist: start u64, length u16, segment u16
    const off = 512 - 12;
    const segment = core.readUInt16LE(off + 10);
    core.writeBigUInt64LE(BigInt(startLba + 1), off);
    core.writeUInt16LE(sectors - 1, off + 8);
    core.writeUInt16LE(segment, off + 10);
    writeSync(fd, boot, 0, 512, 0);
    writeSync(fd, core, 0, core.length, startLba * 512);
  } finally {
    closeSync(fd);
  }
  return sectors;
}
