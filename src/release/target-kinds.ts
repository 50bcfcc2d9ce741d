import { z } from 'zod';
import { ec2Target } from '../backends/clouds/ec2-target.ts';
import { OpenStackTarget } from '../backends/clouds/openstack-target.ts';
import type { TargetKind, TargetKinds } from './cloud-targets.ts';

const region = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a region name such as eu-west-1');
const endpoint = z.url({ protocol: /^https?$/ });

/** `kind: aws`: the disk goes to S3 in the home region, becomes a snapshot (ImportSnapshot) and an AMI, copied to the other regions. */
const aws: TargetKind<{ regions: string[]; bucket: string; prefix?: string; public?: boolean; 'share-with'?: string[]; endpoints?: { ec2?: string; s3?: string } }> = {
  schema: z.strictObject({
    regions: z.array(region).min(1).describe('the home region (import, register) first; the AMI is copied to the others'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    prefix: z.string().regex(/^[A-Za-z0-9._/-]*$/).optional(),
    public: z.boolean().optional(),
    'share-with': z.array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id')).optional(),
    endpoints: z.strictObject({ ec2: endpoint.optional(), s3: endpoint.optional() }).optional(),
  }),
  create: (name, c) => ec2Target({ name, regions: c.regions, bucket: c.bucket, prefix: c.prefix, public: c.public, shareWith: c['share-with'], endpoints: c.endpoints }),
};

/** `kind: openstack`: Glance v2 of a cloud of clouds.yaml (or OS_*), one region per target. */
const openstack: TargetKind<{ cloud?: string; region?: string; interface?: 'public' | 'internal' | 'admin'; visibility?: 'private' | 'shared' | 'community' | 'public'; properties?: Record<string, string>; import?: boolean; 'min-ram-mib'?: number }> = {
  schema: z.strictObject({
    cloud: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    interface: z.enum(['public', 'internal', 'admin']).optional(),
    visibility: z.enum(['private', 'shared', 'community', 'public']).optional(),
    properties: z.record(z.string().regex(/^[a-z0-9_:.-]+$/), z.string()).optional(),
    import: z.boolean().optional(),
    'min-ram-mib': z.number().int().positive().optional(),
  }),
  create: (name, c) => new OpenStackTarget({ name, cloud: c.cloud, region: c.region, interface: c.interface, visibility: c.visibility, properties: c.properties, import: c.import, minRamMiB: c['min-ram-mib'] }),
};

/**
 * The kinds of cloud target the targets file may declare, each an adapter under src/backends/clouds/. A new
 * cloud is one entry here plus its adapter.
 */
export const TARGET_KINDS: TargetKinds = { aws, openstack };
