import type { OutputFormat } from '../recipe/schema.ts';

export interface FormatSpec {
  file: string;
  /** Platform whose cloud-init datasource list the disk in this format carries ("generic" = the recipe's list). */
  platform: string;
  options: Record<string, unknown>;
  contentType: string;
}

/** Delivery formats. Platform-specific ones get a disk whose cloud-init probes that platform's datasource. */
export const formats: Record<OutputFormat, FormatSpec> = {
  raw: { file: 'disk.raw', platform: 'generic', options: {}, contentType: 'application/octet-stream' },
  qcow2: { file: 'disk.qcow2', platform: 'generic', options: { compression: 'zlib' }, contentType: 'application/x-qemu-disk' },
  'raw.xz': { file: 'disk.raw.xz', platform: 'generic', options: { preset: 6, threads: 0 }, contentType: 'application/x-xz' },
  vmdk: { file: 'disk.vmdk', platform: 'generic', options: { subformat: 'streamOptimized' }, contentType: 'application/x-vmdk' },
  vhd: { file: 'disk.vhd', platform: 'azure', options: { subformat: 'fixed', alignMiB: 1 }, contentType: 'application/x-vhd' },
  gce: { file: 'disk.gce.tar.gz', platform: 'gce', options: { member: 'disk.raw' }, contentType: 'application/gzip' },
  ec2: { file: 'disk.ec2.raw.xz', platform: 'ec2', options: { preset: 6, threads: 0 }, contentType: 'application/x-xz' },
  openstack: { file: 'disk.openstack.qcow2', platform: 'openstack', options: { compression: 'zlib' }, contentType: 'application/x-qemu-disk' },
  // not a disk: a container image (OCI image layout in a tar) made from its own rootfs (src/catalog/container-base.ts)
  oci: { file: 'image.oci.tar', platform: 'oci', options: {}, contentType: 'application/x-tar' },
};
