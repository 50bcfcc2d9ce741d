/** GPT partition layout, Debian cloud style: BIOS boot (14) and ESP (15) first, root (1) last so growpart can grow it. */
export const SECTOR = 512;
export const GPT_TYPES = {
  root: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', // Linux root (x86-64), discoverable partitions spec
  bios: '21686148-6449-6E6F-744E-656564454649', // "Hah!IdontNeedEFI": the BIOS boot type GRUB's tools look for
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
} as const;

export interface Partition { number: number; name: 'root' | 'bios' | 'esp'; start: number; sectors: number; type: string; uuid: string }

export interface LayoutIds { diskGuid: string; rootPartUuid: string; biosPartUuid: string; espPartUuid: string }

const MiB = 2048; // sectors

export function gptLayout(sizeBytes: number, boot: ReadonlyArray<'bios' | 'uefi'>, ids: LayoutIds): Partition[] {
  const total = Math.floor(sizeBytes / SECTOR);
  const parts: Partition[] = [];
  if (boot.includes('bios')) parts.push({ number: 14, name: 'bios', start: 1 * MiB, sectors: 3 * MiB, type: GPT_TYPES.bios, uuid: ids.biosPartUuid });
  if (boot.includes('uefi')) parts.push({ number: 15, name: 'esp', start: 4 * MiB, sectors: 124 * MiB, type: GPT_TYPES.esp, uuid: ids.espPartUuid });
  const rootStart = 128 * MiB;
  parts.push({ number: 1, name: 'root', start: rootStart, sectors: total - rootStart - MiB, type: GPT_TYPES.root, uuid: ids.rootPartUuid });
  return parts;
}

/** sfdisk input; "<disk>N :" names the partition number, so root can be 1 while sitting last on the disk. */
export function sfdiskScript(disk: string, diskGuid: string, parts: Partition[]): string {
  const lines = ['label: gpt', `label-id: ${diskGuid.toUpperCase()}`, 'unit: sectors', 'first-lba: 2048'];
  for (const p of parts) {
    lines.push(`${disk}${p.number} : start=${p.start}, size=${p.sectors}, type=${p.type}, uuid=${p.uuid.toUpperCase()}, name="${p.name}"`);
  }
  return lines.join('\n') + '\n';
}
