import { z } from 'zod';
import { coreosArchitectures } from './coreos-stream.ts';
import { type ChannelSnapshot, currentReleases } from './feed-input.ts';

/**
 * Herd's own feed: one document per channel for every product, signed (detached `.asc`).
 * `generation` only ever grows and `expires` bounds its life, so a client that remembers the last
 * generation it saw can refuse rollback and freeze attacks. The per-architecture part reuses the
 * Fedora CoreOS shape so one parser reads both.
 */
export const FEED_SCHEMA_VERSION = 1;

const Disk = z.object({ location: z.string(), signature: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), 'uncompressed-sha256': z.string().optional() });
export const HerdFeed = z.object({
  schemaVersion: z.literal(FEED_SCHEMA_VERSION),
  type: z.literal('herd.stream-feed'),
  channel: z.string(),
  publisher: z.string(),
  generation: z.number().int().positive(),
  issued: z.string(),
  expires: z.string(),
  products: z.record(z.string(), z.object({
    release: z.string(),
    recipeDigest: z.string(),
    /** Published without QA (--allow-untested): for experiments, never in stable. */
    untested: z.literal(true).optional(),
    /** What changed since the release before it; `notes` is the whole changelog (entries, CVE ids) on the API. */
    changes: z.object({
      since: z.string().optional(), upgraded: z.number().int(), added: z.number().int(), removed: z.number().int(),
      security: z.number().int(), cves: z.array(z.string()), notes: z.string(),
    }).optional(),
    architectures: z.record(z.string(), z.object({
      artifacts: z.record(z.string(), z.object({ release: z.string(), formats: z.record(z.string(), z.object({ disk: Disk })) })),
      images: z.record(z.string(), z.unknown()).optional(),
    })),
  })),
  revoked: z.array(z.object({ product: z.string(), version: z.string(), reason: z.string(), revoked: z.string() })),
});
export type HerdFeed = z.infer<typeof HerdFeed>;

export function herdFeed(s: ChannelSnapshot, ttlMs: number): HerdFeed {
  const products: HerdFeed['products'] = {};
  for (const r of currentReleases(s)) {
    const c = s.changes.get(r.id);
    const changes = c && {
      ...(c.against ? { since: c.against.version } : {}), upgraded: c.upgraded, added: c.added, removed: c.removed, security: c.security, cves: c.cves,
      notes: `${s.publicUrl}/api/releases/${r.id}/changelog`,
    };
    products[r.productId] = {
      release: r.version, recipeDigest: r.recipeDigest, ...(r.untested ? { untested: true as const } : {}), ...(changes ? { changes } : {}),
      architectures: coreosArchitectures(s, r) as any,
    };
  }
  const revoked = s.releases.filter((r) => r.revokedAt)
    .map((r) => ({ product: r.productId, version: r.version, reason: r.revokeReason ?? '', revoked: r.revokedAt! }));
  return {
    schemaVersion: FEED_SCHEMA_VERSION,
    type: 'herd.stream-feed',
    channel: s.channel,
    publisher: s.publicUrl,
    generation: s.generation,
    issued: s.issued.toISOString(),
    expires: new Date(s.issued.getTime() + ttlMs).toISOString(),
    products,
    revoked,
  };
}
