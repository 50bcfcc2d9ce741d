import type { Recipe } from '../recipe/schema.ts';
import type { NetworkStackName } from './network-stacks.ts';

/**
 * What Herd knows about each distribution and each of its releases: package manager, default archive,
 * and per release the facts where releases differ (network stack, kernel module folder, packages, what
 * sealing removes). Shared code asks this table instead of branching on names or release numbers; a
 * release missing here is refused at lint, so every release a recipe can name is one Herd has proven.
 */
export interface Distribution {
  packageManager: 'apt';
  releases: Record<string, Release>;
  defaultArchive(codename: string): NonNullable<Recipe['archive']>;
}

export interface Release {
  version: string;
  codename: string;
  /** How the image brings its network up: an entry of src/catalog/network-stacks.ts. */
  network: NetworkStackName;
  /** Where the kernel package puts its modules (dpkg matches the packaged path, not the /lib link). */
  moduleDir: string;
  kernelPackage(flavour: Recipe['footprint']['kernel'], arch: Recipe['architecture']): string;
  /** Packages every bootable cloud image of this release gets (the network stack adds its own). */
  basePackages: string[];
  /**
   * The boot-time module set as files of the release's initramfs builder, written before the kernel is
   * installed; none for an empty list (the builder's own default: most of the module tree).
   */
  initramfsFiles(modules: string[]): Array<{ path: string; content: string }>;
  /** Paths the seal stage removes, and folders it empties, on top of its release-independent list. */
  seal: { remove: string[]; empty: string[] };
}

const debianArch: Record<Recipe['architecture'], string> = { x86_64: 'amd64' };
const debianKernel = (flavour: Recipe['footprint']['kernel'], arch: Recipe['architecture']) =>
  `linux-image-${flavour === 'cloud' ? 'cloud-' : ''}${debianArch[arch]}`;
// initramfs-tools reads both folders before /etc (which stays the admin's): MODULES=list adds exactly
// the named modules, with their dependencies, instead of MODULES=most's whole storage and network tree.
const initramfsTools = (modules: string[]) => modules.length === 0 ? [] : [
  { path: '/usr/share/initramfs-tools/conf.d/herd-modules', content: '# written by herd build (footprint.initramfs-modules)\nMODULES=list\n'
    // zstd decompresses as fast at 19 as at the default 9, and the file is 10% smaller to store and read at boot
    + 'COMPRESSLEVEL=19\n' },
  { path: '/usr/share/initramfs-tools/modules.d/herd', content: `# written by herd build (footprint.initramfs-modules)\n${[...new Set(modules)].sort().join('\n')}\n` },
];
const debianBase = ['initramfs-tools', 'systemd-sysv', 'udev', 'dbus', 'cloud-init', 'cloud-guest-utils', 'openssh-server',
  'netbase', 'iproute2', 'sudo', 'ca-certificates', 'e2fsprogs'];

export const distributions: Record<Recipe['distribution']['name'], Distribution> = {
  debian: {
    packageManager: 'apt',
    releases: {
      '12': {
        version: '12', codename: 'bookworm', network: 'ifupdown', moduleDir: '/lib/modules',
        kernelPackage: debianKernel, basePackages: debianBase, initramfsFiles: initramfsTools,
        seal: { remove: [], empty: ['/var/lib/dhcp'] },
      },
      '13': {
        version: '13', codename: 'trixie', network: 'networkd', moduleDir: '/usr/lib/modules',
        kernelPackage: debianKernel, basePackages: debianBase, initramfsFiles: initramfsTools,
        seal: { remove: ['/var/lib/systemd/credential.secret'], empty: [] },
      },
    },
    defaultArchive: (c) => ({
      sources: [
        { uri: 'http://deb.debian.org/debian', suites: [c, `${c}-updates`], components: ['main'] },
        { uri: 'http://deb.debian.org/debian-security', suites: [`${c}-security`], components: ['main'] },
      ],
      keyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
    }),
  },
};

/** The table entry of a recipe's release; undefined for a release Herd does not support (lint refuses it). */
export function releaseOf(d: Recipe['distribution']): Release | undefined {
  return distributions[d.name].releases[d.release];
}

/** Supported releases of a distribution, for hints: "12 (bookworm), 13 (trixie)". */
export function supportedReleases(name: Recipe['distribution']['name']): string {
  return Object.values(distributions[name].releases).map((r) => `${r.version} (${r.codename})`).join(', ');
}

export function debArch(arch: Recipe['architecture']): string {
  return debianArch[arch];
}
