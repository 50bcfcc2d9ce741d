/**
 * The download page's platform tabs, as a table: which catalogue platforms (recipe `catalog.platforms`) a
 * tab serves, which artifact formats it offers and which cloud image records (cloud_images.platform, the
 * Fedora CoreOS stream names) it lists. Pages ask the table; none branches on a platform's name.
 */
export interface PlatformTab {
  id: string;
  title: string;
  platforms: string[];
  formats: string[];
  clouds: string[];
  /** How the file (or image id) is used there, one sentence. */
  use: string;
  /** A console link that launches a published cloud image. */
  launch?(region: string, imageId: string): string;
  /** What a cloud image id is called there. */
  imageIdTitle?: string;
}

export const PLATFORM_TABS: PlatformTab[] = [
  { id: 'kvm', title: 'OpenStack / KVM', platforms: ['openstack', 'nocloud', 'ovirt', 'cloudstack', 'opennebula'], formats: ['openstack', 'qcow2'], clouds: ['openstack'],
    use: 'Upload the OpenStack qcow2 (its cloud-init reads the OpenStack metadata service and config drive) to Glance with openstack image create --disk-format qcow2 --file …; the plain qcow2 boots with QEMU/libvirt and a NoCloud seed.' },
  { id: 'raw', title: 'Raw disk (raw.xz)', platforms: ['digitalocean'], formats: ['raw.xz', 'raw'], clouds: [],
    use: 'Decompress with xz -d and write the raw disk to a volume or bare-metal disk, or import it as a snapshot.' },
  { id: 'ec2', title: 'Amazon EC2', platforms: ['ec2'], formats: ['ec2'], clouds: ['aws', 'ec2'], imageIdTitle: 'AMI ID',
    use: 'Launch one of the published AMIs in your region; the EC2 disk (raw.xz, its cloud-init reads EC2\'s metadata) can also be unpacked and imported as a snapshot.',
    launch: (region, ami) => `https://console.aws.amazon.com/ec2/home?region=${encodeURIComponent(region)}#LaunchInstances:ami=${encodeURIComponent(ami)}` },
  { id: 'gce', title: 'Google Compute Engine', platforms: ['gce'], formats: ['gce', 'gce.tar.gz'], clouds: ['gcp', 'gce'], imageIdTitle: 'Image',
    use: 'Upload the .tar.gz to a Cloud Storage bucket and create an image from it (gcloud compute images create --source-uri gs://…).' },
  { id: 'azure', title: 'Microsoft Azure', platforms: ['azure'], formats: ['vhd'], clouds: ['azure'], imageIdTitle: 'Image',
    use: 'Upload the fixed-size VHD as a page blob and create a managed disk or image from it.' },
  { id: 'vmware', title: 'VMware', platforms: ['vmware'], formats: ['vmdk', 'ova'], clouds: [],
    use: 'Import the stream-optimised VMDK into vSphere or Workstation; attach a NoCloud seed ISO for first-boot settings.' },
  { id: 'oci', title: 'OCI container', platforms: ['oci'], formats: ['oci'], clouds: [],
    use: 'Load the OCI archive with podman load -i … or skopeo copy oci-archive:… to push it to your registry.' },
];

const DISK_TABS = new Set(PLATFORM_TABS.filter((t) => t.id !== 'oci').map((t) => t.id));

/**
 * The tabs an image shows: those its catalogue entry names, those the release has something for, and the
 * raw disk whenever any disk platform is shown (every disk image is also published raw).
 */
export function tabsFor(catalogPlatforms: string[], formats: string[], clouds: string[]): PlatformTab[] {
  const wanted = (t: PlatformTab) => t.platforms.some((p) => catalogPlatforms.includes(p))
    || t.formats.some((f) => formats.includes(f)) || t.clouds.some((c) => clouds.includes(c));
  const chosen = new Set(PLATFORM_TABS.filter(wanted).map((t) => t.id));
  if ([...chosen].some((id) => DISK_TABS.has(id))) chosen.add('raw');
  return PLATFORM_TABS.filter((t) => chosen.has(t.id));
}
