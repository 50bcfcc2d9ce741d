/** Pure argv construction for qemu-system-x86_64: printable, unit-tested, no I/O. */

export type Firmware = 'bios' | 'uefi';
export type Accel = 'kvm' | 'tcg';

export interface QemuVmSpec {
  /** The emulator to run (default qemu-system-x86_64); tests put a fake here. Not part of the argv. */
  binary?: string;
  disk: string;
  diskFormat: 'raw' | 'qcow2';
  seedIso?: string;
  firmware: Firmware;
  accel: Accel;
  /** Host port on 127.0.0.1 forwarded to the guest's port 22. */
  sshPort: number;
  serialLog: string;
  pidFile: string;
  /** A human monitor socket, used to press the ACPI power button. */
  monitorSocket?: string;
  memoryMiB?: number;
  cpus?: number;
  /** UEFI only: the firmware code image and this VM's private copy of the variable store. */
  ovmfCode?: string;
  ovmfVars?: string;
}

export function qemuArgs(spec: QemuVmSpec): string[] {
  const args = [
    '-machine', 'q35',
    '-accel', spec.accel === 'kvm' ? 'kvm' : 'tcg,thread=multi',
    '-cpu', spec.accel === 'kvm' ? 'host' : 'max',
    '-m', String(spec.memoryMiB ?? 2048),
    '-smp', String(spec.cpus ?? 2),
    '-nodefaults',
    '-display', 'none',
    '-serial', `file:${spec.serialLog}`,
    '-pidfile', spec.pidFile,
  ];
  if (spec.monitorSocket) args.push('-monitor', `unix:${spec.monitorSocket},server,nowait`);
  if (spec.firmware === 'uefi') {
    if (!spec.ovmfCode || !spec.ovmfVars) throw new Error('UEFI boot needs ovmfCode and ovmfVars');
    args.push(
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${spec.ovmfCode}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${spec.ovmfVars}`,
    );
  }
  args.push('-drive', `file=${spec.disk},if=virtio,format=${spec.diskFormat},discard=unmap`);
  if (spec.seedIso) args.push('-drive', `file=${spec.seedIso},if=virtio,format=raw,readonly=on`);
  // The one network shape Herd allows: user-mode, no route out, SSH forwarded on loopback only.
  args.push('-nic', `user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`);
  return args;
}
