import { z } from 'zod';
import { ROLES } from '../catalog/roles.ts';
import { CHANNELS } from '../store/releases.ts';

/**
 * Output schemas of the JSON the API answers with, shared by the route files that answer with the same
 * store objects (a release, a job). They mirror the store's types; with `checkResponses` every 2xx body a
 * test sees is parsed with them, so a field added to a store type without its schema fails loudly.
 * Plain z.object (not strict): the document tells clients what is there, extra fields are not an error.
 */

/** Every time the store writes is `Date#toISOString()`. */
export const IsoTime = z.iso.datetime();

export const PackageRefView = z.object({ name: z.string(), version: z.string(), arch: z.string() });

export const ReleaseView = z.object({
  id: z.uuid(),
  productId: z.string(),
  version: z.string(),
  channel: z.enum(CHANNELS),
  state: z.enum(['pending', 'published', 'failed']),
  recipeDigest: z.string(),
  packages: z.array(PackageRefView),
  createdAt: IsoTime,
  publishedAt: IsoTime.nullable(),
  revokedAt: IsoTime.nullable(),
  revokeReason: z.string().nullable(),
  untested: z.boolean(),
  qa: z.unknown().describe('the QA record the release was published with (manifest.json `qa`), or null'),
});

export const ArtifactView = z.object({
  id: z.uuid(),
  releaseId: z.uuid(),
  arch: z.string(),
  format: z.string(),
  fileName: z.string(),
  location: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  uncompressedSha256: z.string().nullable(),
  signature: z.string(),
});

export const CloudImageView = z.object({ releaseId: z.uuid(), arch: z.string(), platform: z.string(), region: z.string(), imageId: z.string() });

export const JobView = z.object({
  id: z.uuid(),
  kind: z.string(),
  payload: z.unknown().describe('the job kind\'s payload; every payload carries its own `v` version field'),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  workerId: z.string().nullable(),
  runAfter: IsoTime,
  heartbeatAt: IsoTime.nullable(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  result: z.unknown().describe('what the job handed back when it succeeded (e.g. a publish job\'s release), or null'),
  error: z.string().nullable(),
});

export const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: IsoTime,
  expiresAt: IsoTime.nullable(),
  lastUsedAt: IsoTime.nullable(),
  revokedAt: IsoTime.nullable(),
});

export const AccountView = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: IsoTime, disabledAt: IsoTime.nullable() });
