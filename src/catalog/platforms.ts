/**
 * Target platforms and the cloud-init datasources an image for them should probe.
 * A recipe's cloud-init.platforms overrides these per platform.
 */
export const platforms = {
  nocloud: ['NoCloud', 'None'],
  openstack: ['ConfigDrive', 'OpenStack', 'None'],
  ec2: ['Ec2', 'None'],
  gce: ['GCE', 'None'],
  azure: ['Azure', 'None'],
  cloudstack: ['CloudStack', 'None'],
  opennebula: ['OpenNebula', 'None'],
  digitalocean: ['DigitalOcean', 'None'],
  ovirt: ['ConfigDrive', 'NoCloud', 'None'],
} as const satisfies Record<string, readonly string[]>;

export type Platform = keyof typeof platforms;

/**
 * The platforms a catalogue image says it targets (`catalog.platforms`), as the portal's tabs show them.
 * Cloud ids are those of `platforms` above; `vmware` (VMDK) and `oci` (a container image) have no
 * cloud-init datasource of their own.
 */
export const targetPlatforms = {
  openstack: 'OpenStack / KVM',
  ec2: 'Amazon EC2',
  gce: 'Google Compute Engine',
  azure: 'Microsoft Azure',
  vmware: 'VMware',
  cloudstack: 'CloudStack',
  opennebula: 'OpenNebula',
  digitalocean: 'DigitalOcean',
  ovirt: 'oVirt',
  nocloud: 'Local KVM (NoCloud)',
  oci: 'OCI container',
} as const;
export type TargetPlatform = keyof typeof targetPlatforms;
export const TARGET_PLATFORM_IDS = Object.keys(targetPlatforms) as [TargetPlatform, ...TargetPlatform[]];
