import { z } from 'zod';
import { PERSONA_IDS, USE_CASE_IDS } from '../catalog/use-cases.ts';
import { TARGET_PLATFORM_IDS } from '../catalog/platforms.ts';
import { QA_SUITE_NAMES } from '../catalog/qa-suite-names.ts';

/**
 * The recipe format, as written in YAML. One schema gives validation, defaults and the JSON Schema
 * (`herd schema`). Every object is strict: an unknown key is an error, never silently dropped.
 */
const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');
const absPath = z.string().regex(/^\/[^\0]*$/, 'an absolute path inside the image, starting with "/"');
const sizeString = z.string().regex(/^\d+(\.\d+)?\s*(B|K|KiB|M|MiB|G|GiB)$/, 'a size such as "2GiB", "512MiB" or "120M"');
const octalMode = z.string().regex(/^0?[0-7]{3,4}$/, 'an octal mode such as "0644"');

export const archiveSourceSchema = z.strictObject({
  uri: z.url({ protocol: /^https?$/ }).describe('Archive base URL, e.g. http://deb.debian.org/debian'),
  suites: z.array(z.string().min(1)).min(1).describe('Suites (dists) to use from this URI'),
  components: z.array(z.string().min(1)).min(1).default(['main']),
}).describe('One archive location, as in a deb822 sources entry');

export const archiveSchema = z.strictObject({
  sources: z.array(archiveSourceSchema).min(1),
  keyring: z.string().min(1).default('/usr/share/keyrings/debian-archive-keyring.gpg')
    .describe('OpenPGP keyring on the build host that signs the archive'),
}).describe('Where packages come from');

export const footprintSchema = z.strictObject({
  docs: z.boolean().default(false).describe('Keep /usr/share/doc (copyright files are always kept)'),
  man: z.boolean().default(false).describe('Keep man and info pages'),
  locales: z.array(z.string()).default([]).describe('Message catalogues to keep under /usr/share/locale, e.g. [en]; C.UTF-8 always works'),
  kernel: z.enum(['cloud', 'generic']).default('cloud').describe('Kernel flavour: cloud is the smaller kernel for virtual machines'),
  'kernel-modules-exclude': z.array(z.string().regex(/^[a-z0-9_-]+(\/[a-z0-9_.-]+)*$/, 'a folder or module path under the kernel module tree, e.g. drivers/comedi'))
    .default([]).describe('Kernel module folders or modules (path without .ko, under lib/modules/VERSION/kernel/) never installed'),
  'kernel-modules-include': z.array(z.string().regex(/^[a-z0-9_-]+(\/[a-z0-9_.-]+)*$/, 'a folder or module path under the kernel module tree, e.g. drivers/virtio or drivers/net/virtio_net'))
    .default([]).describe('When set, only these kernel module folders or modules (path without .ko) are installed; kernel-modules-exclude still applies inside them. '
      + 'The build fails when a kept module loses a module it depends on'),
  'initramfs-modules': z.array(z.string().regex(/^[a-zA-Z0-9_-]+$/, 'a module name such as virtio_blk'))
    .default([]).describe('When set, the initramfs holds only these modules and what they depend on (initramfs-tools MODULES=list) instead of most of the module tree; '
      + 'they must boot the root disk on every target cloud'),
  'iconv-modules': z.enum(['all', 'common']).default('all').describe("glibc's character set converters (gconv, about 8 MiB): all, or the common ones "
    + '(Unicode, ISO 8859, Windows-125x, KOI8), as Fedora leaves glibc-gconv-extra out; UTF-8 and ASCII are built into glibc either way'),
  hwdb: z.boolean().default(true).describe('Keep the udev hardware database (names of USB/PCI devices; about 20 MiB, rarely needed on a VM)'),
}).describe('What to leave out of the image to keep it small (PRD Req #1)');

export const userSchema = z.strictObject({
  name: slug,
  groups: z.array(z.string()).default([]),
  shell: z.string().default('/bin/bash'),
  sudo: z.boolean().default(false).describe('Passwordless sudo for this user'),
  'ssh-authorized-keys': z.array(z.string()).default([]),
}).describe('A user baked into the image (cloud-init adds the cloud user at boot; this is rarely needed)');

export const sshSchema = z.strictObject({
  'password-authentication': z.boolean().default(false),
  'permit-root-login': z.enum(['no', 'prohibit-password']).default('no'),
  'host-key-types': z.array(z.enum(['ed25519', 'ecdsa', 'rsa'])).min(1).default(['ed25519', 'ecdsa'])
    .describe('Host keys created on first boot (RSA is slow to generate under emulation)'),
}).describe('SSH policy: no password logins and no root login by default');

export const fileSchema = z.strictObject({
  path: absPath,
  content: z.string().optional().describe('Inline file content'),
  source: z.string().optional().describe("A file relative to the recipe's folder"),
  mode: octalMode.default('0644'),
  owner: z.string().default('root'),
  group: z.string().default('root'),
}).describe('A file added to the image: exactly one of content or source');

export const servicesSchema = z.strictObject({
  enable: z.array(z.string()).default([]),
  disable: z.array(z.string()).default([]),
});

export const datasources = ['NoCloud', 'ConfigDrive', 'OpenStack', 'Ec2', 'GCE', 'Azure', 'CloudStack', 'OpenNebula', 'DigitalOcean', 'Oracle', 'None'] as const;

export const cloudInitSchema = z.strictObject({
  datasources: z.array(z.enum(datasources)).min(1).default(['NoCloud', 'None'])
    .describe('Datasources the image probes, in order (the default image never touches a metadata server)'),
  platforms: z.record(z.string(), z.array(z.enum(datasources)).min(1)).default({})
    .describe('Per target platform (e.g. ec2, gce, openstack) the datasource list written in that platform variant'),
  'default-user': slug.default('debian'),
  locale: z.string().default('C.UTF-8'),
}).describe('cloud-init settings');

export const diskSchema = z.strictObject({
  size: sizeString.default('2GiB'),
  filesystem: z.literal('ext4').default('ext4'),
  boot: z.array(z.enum(['bios', 'uefi'])).min(1).default(['bios', 'uefi']),
}).describe('Disk layout: GPT, BIOS boot + ESP, root partition last so growpart can grow it');

export const catalogSchema = z.strictObject({
  title: z.string().min(1).max(80).describe('Name people see in the portal and the feeds, e.g. "Container host"'),
  summary: z.string().min(1).max(1500).describe('One paragraph: what the image holds and what it is for'),
  'use-cases': z.array(z.enum(USE_CASE_IDS)).min(1).describe('Use cases it serves (src/catalog/use-cases.ts); a child replaces the list'),
  personas: z.array(z.enum(PERSONA_IDS)).min(1).describe('PRD personas it is for; a child replaces the list'),
  platforms: z.array(z.enum(TARGET_PLATFORM_IDS)).min(1).describe('Platforms it targets (src/catalog/platforms.ts); a child replaces the list'),
  stack: z.strictObject({
    language: slug.describe('e.g. python'),
    version: z.string().regex(/^[0-9][0-9A-Za-z.]*$/, 'a version such as "3.13"').describe('The language version this variant carries'),
    frameworks: z.array(z.string().min(1)).default([]).describe('Frameworks installed, e.g. [Django, Flask]'),
  }).optional().describe('For a language stack: which language and version (one variant per version)'),
  notes: z.string().max(1500).optional().describe('What the image leaves out and why (e.g. a package the distribution lacks)'),
}).describe('How the portal and the feeds present the image');

export const qaSchema = z.strictObject({
  suites: z.array(z.enum(QA_SUITE_NAMES)).default([]).describe("QA suites run besides 'base' (src/qa/boot/suites/)"),
}).describe('How the image is tested before publication');

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

// No defaults in the schema: a recipe without `respin` normalizes as before (its digest and step ids do not
// change); src/release/respin-policy.ts applies the defaults it documents here.
export const respinSchema = z.strictObject({
  schedule: z.enum(['monthly', 'weekly', 'none']).optional()
    .describe('Regular respins: monthly on the first `day` of the month, weekly on every `day`, or none (default monthly)'),
  day: z.enum(WEEKDAYS).optional().describe('The weekday of the schedule (default tuesday: the first Tuesday of each month)'),
  security: z.enum(['immediate', 'scheduled']).optional()
    .describe('A security update to a package in the image: respin at once (default) or wait for the schedule'),
  'first-boot': z.enum(['immediate', 'scheduled']).optional()
    .describe('An update to a package that runs at first boot (kernel, systemd, libc, OpenSSL, cloud-init, SSH): at once, or with the schedule (default)'),
  promote: z.union([z.enum(['after-qa', 'manual']), z.string().regex(/^[1-9][0-9]{0,3}[hdw]$/, 'after-qa, manual, or a soak time such as 12h, 3d or 2w')]).optional()
    .describe('When a respun release (published to testing once its full QA passed) reaches stable: after-qa (default) at once, a soak time (e.g. 3d: `herd serve` promotes it once it has been in testing that long and is still the newest release), or manual'),
}).describe('When the image is rebuilt with updates: `herd serve` runs this policy, `herd respin PRODUCT` once by hand');

// ec2 and openstack are the cloud variants published to those clouds (issue #12): a disk whose cloud-init probes
// that cloud's datasource, as raw.xz (EC2 imports the raw disk) and qcow2 (Glance)
export const outputFormats = ['raw', 'qcow2', 'raw.xz', 'vmdk', 'vhd', 'gce', 'ec2', 'openstack', 'oci'] as const;

export const recipeSchema = z.strictObject({
  name: slug.describe('Image name, used in file names and os-release IMAGE_ID'),
  description: z.string().min(1).describe('One line for people: shown in manifests, feeds and the portal'),
  extends: z.string().optional().describe('Path of a recipe this one builds on: lists merge, scalars override'),
  version: z.string().regex(/^[0-9A-Za-z.+~-]+$/).optional().describe('IMAGE_VERSION; defaults to the archive date'),
  distribution: z.strictObject({
    name: z.enum(['debian']).describe('Distribution; it names its package manager'),
    release: z.string().min(1).describe('Release, e.g. "12"'),
  }).describe('What the image is built from'),
  architecture: z.enum(['x86_64']).default('x86_64').describe('CPU architecture (aarch64 comes next)'),
  archive: archiveSchema.optional().describe("Defaults to the distribution's official archive"),
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+(=[^\s]+)?$/, 'a Debian package name, optionally name=version')).default([])
    .describe('Packages to install on top of the bootable base set (kernel, systemd, cloud-init, OpenSSH, ...); name=version pins'),
  footprint: footprintSchema.default(footprintSchema.parse({})),
  users: z.array(userSchema).default([]).describe('Users baked into the image (cloud-init creates the cloud user at boot)'),
  ssh: sshSchema.default(sshSchema.parse({})),
  files: z.array(fileSchema).default([]).describe('Files added to the image'),
  services: servicesSchema.default(servicesSchema.parse({})).describe('systemd units to enable or disable'),
  'cloud-init': cloudInitSchema.default(cloudInitSchema.parse({})),
  disk: diskSchema.default(diskSchema.parse({})),
  outputs: z.array(z.enum(outputFormats)).min(1).default(['raw', 'qcow2']).describe('Delivery formats to write (gce is a GCE-importable tar.gz, vhd a fixed Azure VHD, oci a container image: an OCI image layout in a tar, built from its own rootfs without kernel or boot set)'),
  'size-budget': z.strictObject({
    qcow2: sizeString.optional(),
    'raw-allocated': sizeString.optional(),
    rootfs: sizeString.optional(),
    oci: sizeString.optional().describe('The OCI archive (image.oci.tar)'),
  }).optional().describe('Build fails when an output is larger than this'),
  catalog: catalogSchema.optional().describe('Presentation in the catalogue; every recipe in recipes/ has one'),
  qa: qaSchema.default(qaSchema.parse({})),
  respin: respinSchema.optional(),
  'source-date-epoch': z.number().int().nonnegative().optional()
    .describe('Timestamp for reproducible builds; defaults to the newest archive Release date'),
});

export type RecipeInput = z.input<typeof recipeSchema>;
export type Recipe = z.output<typeof recipeSchema>;
export type OutputFormat = (typeof outputFormats)[number];
