/** Text of the configuration files the configure stage writes: pure functions, tested as strings. */

export interface CloudInitSettings { datasources: string[]; defaultUser: string; locale: string }
export interface SshSettings { 'password-authentication': boolean; 'permit-root-login': string; 'host-key-types': string[] }

export function datasourceConfig(datasources: readonly string[]): string {
  return `# Written by Herd: the datasources this image probes, in order.\ndatasource_list: [ ${datasources.join(', ')} ]\n`;
}

export function cloudInitImageConfig(c: CloudInitSettings, ssh: SshSettings, renderers: readonly string[]): string {
  return [
    '# Written by Herd.',
    '# C.UTF-8 needs no locale-gen (the en_US.UTF-8 default fails: it is not generated in this image)',
    `locale: ${c.locale}`,
    '# lets sudo resolve the instance hostname',
    'manage_etc_hosts: true',
    '# host keys are made at first boot, never baked; RSA is slow to generate under emulation',
    `ssh_genkeytypes: [${ssh['host-key-types'].join(', ')}]`,
    'ssh_deletekeys: true',
    `ssh_pwauth: ${ssh['password-authentication']}`,
    `disable_root: ${ssh['permit-root-login'] === 'no'}`,
    '# no grub-pc package in the image: the loader is installed at build time',
    'grub_dpkg:',
    '  enabled: false',
    'system_info:',
    '  default_user:',
    `    name: ${c.defaultUser}`,
    '    lock_passwd: true',
    `    gecos: Cloud user`,
    '    groups: [adm, sudo]',
    '    sudo: ["ALL=(ALL) NOPASSWD:ALL"]',
    '    shell: /bin/bash',
    '  # the release\'s network stack (src/catalog/network-stacks.ts): cloud-init must not pick another',
    '  network:',
    `    renderers: [${renderers.join(', ')}]`,
    '',
  ].join('\n');
}

export function sshdConfig(ssh: SshSettings): string {
  const pw = ssh['password-authentication'] ? 'yes' : 'no';
  return [
    '# Written by Herd: SSH policy of this image.',
    `PasswordAuthentication ${pw}`,
    `KbdInteractiveAuthentication ${pw}`,
    `PermitRootLogin ${ssh['permit-root-login']}`,
    'PermitEmptyPasswords no',
    '',
  ].join('\n');
}

/** Safety net: if cloud-init did not make host keys (no datasource at all), make them before sshd starts. */
export const sshHostKeysDropIn = '[Service]\nExecStartPre=/bin/sh -c "ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1 || /usr/bin/ssh-keygen -A"\n';

export function fstab(rootUuid: string): string {
  return `# Written by Herd. The ESP is not mounted: GRUB reads /boot from the root filesystem.\nUUID=${rootUuid} / ext4 rw,discard,errors=remount-ro 0 1\n`;
}

export const kernelCmdline = (rootUuid: string) => `root=UUID=${rootUuid} ro console=tty0 console=ttyS0,115200n8`;

/** One grub.cfg for BIOS and UEFI; /vmlinuz and /initrd.img are symlinks the kernel package keeps current. */
export function grubConfig(title: string, rootUuid: string): string {
  return [
    'serial --unit=0 --speed=115200',
    'terminal_input serial console',
    'terminal_output serial console',
    'set default=0',
    'set timeout=0',
    `search --no-floppy --fs-uuid --set=root ${rootUuid}`,
    `menuentry '${title.replace(/'/g, '')}' {`,
    `  linux /vmlinuz ${kernelCmdline(rootUuid)}`,
    '  initrd /initrd.img',
    '}',
    '',
  ].join('\n');
}

export const hostsFile = '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n';

/** os-release with IMAGE_ID and IMAGE_VERSION set (replacing any earlier values). */
export function withImageFields(osRelease: string, id: string, version: string): string {
  const kept = osRelease.split('\n').filter((l) => l && !/^IMAGE_(ID|VERSION)=/.test(l));
  return [...kept, `IMAGE_ID=${id}`, `IMAGE_VERSION=${version}`, ''].join('\n');
}
