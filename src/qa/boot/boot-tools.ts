import { AppError } from '../../errors.ts';
import { OVMF_CODE, OVMF_VARS } from '../../catalog/host-tools.ts';
import { requireTools, which } from '../../backends/host/run-command.ts';

/** Fails before anything boots when a tool is missing, naming its Debian package. */
export function requireBootTools(firmware: 'bios' | 'uefi' | 'both'): void {
  requireTools(['qemu-system-x86_64', 'qemu-img', 'ssh', 'ssh-keygen']);
  if (!which('cloud-localds') && !which('xorriso')) {
    throw new AppError('host.tool_missing', 'cloud-localds (or xorriso) is needed to make the NoCloud seed', {
      kind: 'dependency',
      hint: 'install it with: apt-get install --no-install-recommends cloud-image-utils',
    });
  }
  if (firmware !== 'bios') requireTools([OVMF_CODE, OVMF_VARS]);
}
