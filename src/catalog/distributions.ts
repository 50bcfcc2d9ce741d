import type { Recipe } from '../recipe/schema.ts';

/**
 * What Herd knows about each distribution: its package manager, default archive, kernel packages and
 * the base packages a bootable cloud image needs. Shared code asks this table instead of branching on names.
 */
export interface Distribution {
  packageManager: 'apt';
  codename(release: string): string | undefined;
  defaultArchive(codename: string): NonNullable<Recipe['archive']>;
  kernelPackage(flavour: Recipe['footprint']['kernel'], arch: Recipe['architecture']): string;
  /** Packages every bootable cloud image gets, before the recipe's own list. */
  basePackages: string[];
}

const debianCodenames: Record<string, string> = { '12': 'bookworm', '13': 'trixie' };
const debianArch: Record<Recipe['architecture'], string> = { x86_64: 'amd64' };

export const distributions: Record<Recipe['distribution']['name'], Distribution> = {
  debian: {
    packageManager: 'apt',
    codename: (release) => debianCodenames[release],
    defaultArchive: (c) => ({
      sources: [
        { uri: 'http://deb.debian.org/debian', suites: [c, `${c}-updates`], components: ['main'] },
        { uri: 'http://deb.debian.org/debian-security', suites: [`${c}-security`], components: ['main'] },
      ],
      keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
    }),
    kernelPackage: (flavour, arch) => `linux-image-${flavour === 'cloud' ? 'cloud-' : ''}${debianArch[arch]}`,
    basePackages: ['initramfs-tools', 'systemd-sysv', 'udev', 'dbus', 'cloud-init', 'cloud-guest-utils', 'openssh-server',
      'ifupdown', 'isc-dhcp-client', 'netbase', 'iproute2', 'sudo', 'ca-certificates', 'e2fsprogs'],
  },
};

export function debArch(arch: Recipe['architecture']): string {
  return debianArch[arch];
}
