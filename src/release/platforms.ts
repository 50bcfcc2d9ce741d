/**
 * How a delivered file format maps onto the platforms clients look up in a stream (Fedora CoreOS names),
 * the format key under that platform, and the HTTP content type for downloads.
 */
interface FormatInfo { platforms: string[]; streamFormat: string; contentType: string; simplestreamsType: string }

// A generic disk probes only NoCloud (the build's choice), so it is listed for qemu/metal/vmware and not for
// clouds whose datasource it lacks; platform formats (gce, vhd) are built with their cloud's datasource.
const FORMATS: Record<string, FormatInfo> = {
  'qcow2': { platforms: ['qemu'], streamFormat: 'qcow2', contentType: 'application/x-qemu-disk', simplestreamsType: 'disk1.img' },
  'raw': { platforms: ['metal'], streamFormat: 'raw', contentType: 'application/octet-stream', simplestreamsType: 'disk1.raw' },
  'raw.xz': { platforms: ['metal'], streamFormat: 'raw.xz', contentType: 'application/x-xz', simplestreamsType: 'disk1.raw.xz' },
  'vmdk': { platforms: ['vmware'], streamFormat: 'vmdk', contentType: 'application/x-vmdk', simplestreamsType: 'disk1.vmdk' },
  'vhd': { platforms: ['azure'], streamFormat: 'vhd', contentType: 'application/x-vhd', simplestreamsType: 'disk1.vhd' },
  'gce.tar.gz': { platforms: ['gcp'], streamFormat: 'tar.gz', contentType: 'application/gzip', simplestreamsType: 'disk1.gce.tar.gz' },
  // the cloud variants (their disk probes that cloud's datasource): listed under the cloud, not under qemu/metal
  'ec2': { platforms: ['aws'], streamFormat: 'raw.xz', contentType: 'application/x-xz', simplestreamsType: 'disk1.ec2.raw.xz' },
  'openstack': { platforms: ['openstack'], streamFormat: 'qcow2', contentType: 'application/x-qemu-disk', simplestreamsType: 'disk1.openstack.img' },
  'gce': { platforms: ['gcp'], streamFormat: 'tar.gz', contentType: 'application/gzip', simplestreamsType: 'disk1.gce.tar.gz' },
  'ova': { platforms: ['vmware'], streamFormat: 'ova', contentType: 'application/x-tar', simplestreamsType: 'disk1.ova' },
  // a container image (OCI image layout in a tar, as skopeo's oci-archive: transport reads it), not a disk
  'oci': { platforms: ['oci'], streamFormat: 'oci-archive', contentType: 'application/x-tar', simplestreamsType: 'oci.tar' },
};

const GENERIC: FormatInfo = { platforms: ['generic'], streamFormat: '', contentType: 'application/octet-stream', simplestreamsType: '' };

export function formatInfo(format: string): FormatInfo {
  const known = FORMATS[format];
  return known ?? { ...GENERIC, streamFormat: format, simplestreamsType: `disk1.${format}` };
}

const BY_EXTENSION: Array<[string, string]> = [
  ['.asc', 'application/pgp-signature'],
  ['.json', 'application/json'],
  ['.tar.gz', 'application/gzip'],
  ['.qcow2', 'application/x-qemu-disk'],
  ['.xz', 'application/x-xz'],
  ['.vmdk', 'application/x-vmdk'],
  ['.vhd', 'application/x-vhd'],
  ['.ova', 'application/x-tar'],
  ['.oci.tar', 'application/x-tar'],
];

export function contentTypeFor(fileName: string): string {
  return BY_EXTENSION.find(([ext]) => fileName.endsWith(ext))?.[1] ?? 'application/octet-stream';
}

/** Simplestreams (Ubuntu, LXD) spell architectures the Debian way. */
export function debianArch(arch: string): string {
  return ({ x86_64: 'amd64', aarch64: 'arm64', i686: 'i386' } as Record<string, string>)[arch] ?? arch;
}

export function normaliseArch(arch: string): string {
  return ({ amd64: 'x86_64', arm64: 'aarch64', x64: 'x86_64' } as Record<string, string>)[arch] ?? arch;
}
