/** Host programs Herd runs, and the Debian package that provides each: `herd doctor` and error hints use this. */
export const hostTools = {
  mmdebstrap: 'mmdebstrap',
  'mke2fs': 'e2fsprogs',
  debugfs: 'e2fsprogs',
  e2fsck: 'e2fsprogs',
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  'grub-mkimage': 'grub-common',
  'qemu-img': 'qemu-utils',
  'qemu-system-x86_64': 'qemu-system-x86',
  xz: 'xz-utils',
  zstd: 'zstd',
  tar: 'tar',
  gzip: 'gzip',
  dd: 'coreutils',
  cp: 'coreutils',
  'cloud-localds': 'cloud-image-utils',
  'ssh-keygen': 'openssh-client',
  ssh: 'openssh-client',
} as const satisfies Record<string, string>;

/** Files from packages that are not programs. */
export const hostFiles = {
  '/usr/lib/grub/i386-pc/boot.img': 'grub-pc-bin',
  '/usr/lib/grub/x86_64-efi/linux.mod': 'grub-efi-amd64-bin',
  '/usr/share/OVMF/OVMF_CODE_4M.fd': 'ovmf',
  '/usr/share/keyrings/debian-archive-keyring.gpg': 'debian-archive-keyring',
} as const satisfies Record<string, string>;

export type HostTool = keyof typeof hostTools;

export function packageFor(tool: string): string | undefined {
  return (hostTools as Record<string, string>)[tool] ?? (hostFiles as Record<string, string>)[tool];
}
