import type { Kysely } from 'kysely';
import { type Artifact, listArtifacts } from '../../store/artifacts.ts';
import { type CloudImage, listCloudImages } from '../../store/cloud-images.ts';
import { releaseChangelogSummaries } from '../../store/release-changelogs.ts';
import type { ChangelogSummary } from '../release-changelog.ts';
import { type Channel, listReleases, type Release } from '../../store/releases.ts';
import type { Schema } from '../../store/schema.ts';

/** Everything the feed documents of one channel are generated from: one read, then pure functions. */
export interface ChannelSnapshot {
  channel: Channel;
  generation: number;
  issued: Date;
  publicUrl: string;
  /** Published releases of the channel, newest version first per product, revoked ones included. */
  releases: Release[];
  artifacts: Map<string, Artifact[]>;
  images: Map<string, CloudImage[]>;
  /** Each release's changelog summary against the release before it (releases published before #11 have none). */
  changes: Map<string, ChangelogSummary>;
}

export async function readChannel(db: Kysely<Schema>, channel: Channel, generation: number, issued: Date, publicUrl: string): Promise<ChannelSnapshot> {
  const releases = await listReleases(db, { channel, state: 'published' });
  const ids = releases.map((r) => r.id);
  const artifacts = group(await listArtifacts(db, ids));
  const images = group(await listCloudImages(db, ids));
  // only the current releases' summaries go into a feed
  const changes = await releaseChangelogSummaries(db, currentReleases({ releases } as ChannelSnapshot).map((r) => r.id)) as Map<string, ChangelogSummary>;
  return { channel, generation, issued, publicUrl: publicUrl.replace(/\/+$/, ''), releases, artifacts, images, changes };
}

function group<T extends { releaseId: string }>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.releaseId, [...(m.get(r.releaseId) ?? []), r]);
  return m;
}

/** The release a client should run: newest non-revoked version of each product. */
export function currentReleases(s: ChannelSnapshot): Release[] {
  const seen = new Set<string>();
  return s.releases.filter((r) => {
    if (r.revokedAt || seen.has(r.productId)) return false;
    seen.add(r.productId);
    return true;
  });
}

export function artifactUrl(s: ChannelSnapshot, key: string): string {
  return `${s.publicUrl}/artifacts/${key.split('/').map(encodeURIComponent).join('/')}`;
}
