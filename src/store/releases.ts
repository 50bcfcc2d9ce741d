import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import type { ReleaseState, Schema } from './schema.ts';
import { checkVersion, compareVersions } from './versions.ts';

export const CHANNELS = ['testing', 'stable'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface PackageRef { name: string; version: string; arch: string }

export interface Release {
  id: string;
  productId: string;
  version: string;
  channel: Channel;
  state: ReleaseState;
  recipeDigest: string;
  packages: PackageRef[];
  createdAt: string;
  publishedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

export function checkChannel(c: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(c)) {
    throw new AppError('release.bad_channel', `unknown channel "${c}"`, { hint: `use one of: ${CHANNELS.join(', ')}` });
  }
  return c as Channel;
}

/** A release starts `pending`: invisible to feeds until every artifact is stored, verified and signed. */
export async function createPendingRelease(db: Kysely<Schema>, r: {
  productId: string; version: string; channel: Channel; recipeDigest: string; packages: PackageRef[];
}): Promise<Release> {
  checkVersion(r.version);
  const existing = await findRelease(db, r.productId, r.version);
  if (existing) {
    throw new AppError('release.exists', `release ${r.productId} ${r.version} already exists (${existing.state})`, {
      kind: 'conflict', hint: 'publish under a new version; releases are immutable once created',
    });
  }
  const row = {
    id: randomUUID(), product_id: r.productId, version: r.version, channel: r.channel, state: 'pending' as const,
    recipe_digest: r.recipeDigest, packages: JSON.stringify(r.packages), created_at: new Date().toISOString(),
    published_at: null, revoked_at: null, revoke_reason: null,
  };
  await db.insertInto('releases').values(row).execute();
  return toRelease(row);
}

export async function markReleasePublished(db: Kysely<Schema>, id: string): Promise<void> {
  await db.updateTable('releases').set({ state: 'published', published_at: new Date().toISOString() })
    .where('id', '=', id).where('state', '=', 'pending').execute();
}

export async function markReleaseFailed(db: Kysely<Schema>, id: string): Promise<void> {
  await db.updateTable('releases').set({ state: 'failed' }).where('id', '=', id).where('state', '=', 'pending').execute();
}

/** Removes a release that never got published (and its artifact rows), e.g. before a retried publish job. */
export async function deleteUnpublishedRelease(db: Kysely<Schema>, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('artifacts').where('release_id', '=', id).execute();
    await tx.deleteFrom('cloud_images').where('release_id', '=', id).execute();
    await tx.deleteFrom('releases').where('id', '=', id).where('state', '!=', 'published').execute();
  });
}

export async function getRelease(db: Kysely<Schema>, id: string): Promise<Release | undefined> {
  const row = await db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRelease(row);
}

export async function findRelease(db: Kysely<Schema>, productId: string, version: string): Promise<Release | undefined> {
  const row = await db.selectFrom('releases').selectAll()
    .where('product_id', '=', productId).where('version', '=', version).executeTakeFirst();
  return row && toRelease(row);
}

export interface ReleaseFilter { productId?: string; channel?: Channel; state?: ReleaseState }

/** Newest version first. */
export async function listReleases(db: Kysely<Schema>, f: ReleaseFilter = {}): Promise<Release[]> {
  let q = db.selectFrom('releases').selectAll();
  if (f.productId) q = q.where('product_id', '=', f.productId);
  if (f.channel) q = q.where('channel', '=', f.channel);
  if (f.state) q = q.where('state', '=', f.state);
  const rows = await q.execute();
  return rows.map(toRelease).sort((a, b) => a.productId.localeCompare(b.productId) || compareVersions(b.version, a.version));
}

/** Moves a published release to another channel (testing → stable). */
export async function promoteRelease(db: Kysely<Schema>, id: string, to: Channel): Promise<Release> {
  const r = await requirePublished(db, id);
  if (r.revokedAt) throw new AppError('release.revoked', `release ${r.productId} ${r.version} is revoked`, { kind: 'conflict', hint: 'publish a new release instead' });
  if (r.channel === to) throw new AppError('release.same_channel', `release ${r.productId} ${r.version} is already in ${to}`, { kind: 'conflict' });
  await db.updateTable('releases').set({ channel: to }).where('id', '=', id).execute();
  return { ...r, channel: to };
}

export async function revokeRelease(db: Kysely<Schema>, id: string, reason: string): Promise<Release> {
  const r = await requirePublished(db, id);
  if (r.revokedAt) throw new AppError('release.revoked', `release ${r.productId} ${r.version} is already revoked`, { kind: 'conflict' });
  const at = new Date().toISOString();
  await db.updateTable('releases').set({ revoked_at: at, revoke_reason: reason }).where('id', '=', id).execute();
  return { ...r, revokedAt: at, revokeReason: reason };
}

async function requirePublished(db: Kysely<Schema>, id: string): Promise<Release> {
  const r = await getRelease(db, id);
  if (!r) throw new AppError('release.not_found', `no release with id ${id}`, { kind: 'not_found', hint: 'list releases with GET /api/releases' });
  if (r.state !== 'published') throw new AppError('release.not_published', `release ${r.productId} ${r.version} is ${r.state}`, { kind: 'conflict' });
  return r;
}

function toRelease(r: Schema['releases']): Release {
  return {
    id: r.id, productId: r.product_id, version: r.version, channel: r.channel as Channel, state: r.state,
    recipeDigest: r.recipe_digest, packages: JSON.parse(r.packages) as PackageRef[], createdAt: r.created_at,
    publishedAt: r.published_at, revokedAt: r.revoked_at, revokeReason: r.revoke_reason,
  };
}
