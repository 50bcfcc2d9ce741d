import type { ChannelSnapshot } from './feed-input.ts';

/** Every published release of a channel, newest first, revoked ones marked (Fedora CoreOS's releases.json, per product). */
export function releasesIndex(s: ChannelSnapshot) {
  return {
    schemaVersion: 1,
    stream: s.channel,
    metadata: { 'last-modified': s.issued.toISOString() },
    releases: s.releases.map((r) => ({
      product: r.productId,
      version: r.version,
      recipeDigest: r.recipeDigest,
      published: r.publishedAt,
      metadata: `${s.publicUrl}/api/releases/${r.id}`,
      ...(r.untested ? { untested: true } : {}),
      ...(r.revokedAt ? { revoked: { at: r.revokedAt, reason: r.revokeReason } } : {}),
    })),
  };
}
