import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const diskLayout: StaticCheck = {
  id: 'A17',
  title: 'GPT with BIOS boot + ESP (BOOTX64.EFI) and the root partition last, so growpart can grow it',
  run(ctx) {
    const t = ctx.table;
    const findings = [];
    if (t.label !== 'gpt') findings.push(found('/', `partition table is ${t.label}, not gpt`));
    const root = t.partitions.find((p) => p.role === 'root');
    const last = [...t.partitions].sort((a, b) => b.offset - a.offset)[0];
    if (root && last && root !== last) findings.push(found('/', `root partition ${root.number} is not the last on disk (partition ${last.number} is)`));
    if (!t.partitions.some((p) => p.role === 'bios-boot')) findings.push(found('/', 'no BIOS boot partition: BIOS firmware cannot boot'));
    if (!t.partitions.some((p) => p.role === 'esp')) findings.push(found('/', 'no EFI system partition: UEFI firmware cannot boot'));
    else if (!ctx.esp) findings.push(found('/', 'the ESP could not be read (is mtools installed?)'));
    else if (!ctx.esp.includes('/EFI/BOOT/BOOTX64.EFI')) findings.push(found('/EFI/BOOT/BOOTX64.EFI', 'no removable-path UEFI loader on the ESP'));
    return findings;
  },
};
