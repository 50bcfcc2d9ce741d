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
