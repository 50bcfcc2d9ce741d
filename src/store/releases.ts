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
  /** Published with --allow-untested (no QA record): marked in every feed, never promoted to stable. */
  untested: boolean;
  /** The QA record the release was published with (the manifest's `qa`), if any. */
  qa: unknown;
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
  /** The publishing attempt (job or CLI process): only it may publish or discard this release while it is alive. */
  owner?: string; untested?: boolean; qaRecord?: unknown; qaReport?: string;
  /** size-report.json text, already checked against its manifest's sha256. */
  sizeReport?: string;
}): Promise<Release> {
  checkVersion(r.version);
  const existing = await findRelease(db, r.productId, r.version);
  if (existing) throw releaseExists(r.productId, r.version, existing.state);
  const now = new Date().toISOString();
  const row = {
    id: randomUUID(), product_id: r.productId, version: r.version, channel: r.channel, state: 'pending' as const,
    recipe_digest: r.recipeDigest, packages: JSON.stringify(r.packages), created_at: now,
    published_at: null, revoked_at: null, revoke_reason: null,
    owner: r.owner ?? null, touched_at: now, untested: r.untested ? 1 : 0,
    qa_record: r.qaRecord === undefined ? null : JSON.stringify(r.qaRecord), qa_report: r.qaReport ?? null,
    size_report: r.sizeReport ?? null,
  };
  try {
    await db.insertInto('releases').values(row).execute();
  } catch (e) {
    // two attempts raced past the check above: the unique (product, version) constraint picks one
    const raced = await findRelease(db, r.productId, r.version);
    if (raced) throw releaseExists(r.productId, r.version, raced.state);
    throw e;
  }
  return toRelease(row);
}

function releaseExists(productId: string, version: string, state: string): AppError {
  return new AppError('release.exists', `release ${productId} ${version} already exists (${state})`, {
    kind: 'conflict', hint: state === 'published' ? 'publish under a new version; releases are immutable once created'
      : 'another publish of this version is in progress (or was interrupted: `herd gc` removes it once stale)',
  });
}

/** The publishing attempt's heartbeat; false once the release is no longer its pending release. */
export async function touchRelease(db: Kysely<Schema>, id: string, owner: string | null): Promise<boolean> {
  let q = db.updateTable('releases').set({ touched_at: new Date().toISOString() }).where('id', '=', id).where('state', '=', 'pending');
  q = owner === null ? q.where('owner', 'is', null) : q.where('owner', '=', owner);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Publishes a pending release; false when it is not (or no longer) the caller's pending release. */
export async function markReleasePublished(db: Kysely<Schema>, id: string, owner?: string): Promise<boolean> {
  let q = db.updateTable('releases').set({ state: 'published', published_at: new Date().toISOString() })
    .where('id', '=', id).where('state', '=', 'pending');
  if (owner !== undefined) q = q.where('owner', '=', owner);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markReleaseFailed(db: Kysely<Schema>, id: string): Promise<void> {
  await db.updateTable('releases').set({ state: 'failed' }).where('id', '=', id).where('state', '=', 'pending').execute();
}

/**
 * Takes an unpublished release over for clean-up, atomically: it is marked `failed` (so no attempt can
 * publish it any more) and owned by `claimer`, but only when `may` holds: it is the claimer's own
 * (same owner) or stale (not touched since `staleBefore`). Returns the artifact keys to delete, or
 * undefined when the release is someone else's live attempt (or already gone).
 */
export async function claimUnpublishedRelease(db: Kysely<Schema>, id: string, claimer: string, may: { owner?: string; staleBefore?: string }): Promise<string[] | undefined> {
  const r = await db.updateTable('releases').set({ state: 'failed', owner: claimer, touched_at: new Date().toISOString() })
    .where('id', '=', id).where('state', '!=', 'published')
    .where((eb) => {
      const ors = [];
      if (may.owner !== undefined) ors.push(eb('owner', '=', may.owner));
      if (may.staleBefore !== undefined) ors.push(eb('touched_at', 'is', null), eb('touched_at', '<', may.staleBefore));
      return ors.length ? eb.or(ors) : eb.lit(false);
    })
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  const rows = await db.selectFrom('artifacts').select(['location', 'signature']).where('release_id', '=', id).execute();
  return rows.flatMap((a) => [a.location, a.signature]);
}

/** Unpublished releases not touched since `before`: left by killed or failed publishes. */
export async function listStaleReleases(db: Kysely<Schema>, before: string): Promise<Release[]> {
  const rows = await db.selectFrom('releases').selectAll().where('state', '!=', 'published')
    .where((eb) => eb.or([eb('touched_at', 'is', null), eb('touched_at', '<', before)])).execute();
  return rows.map(toRelease);
}

/** The QA report a release was published with (as the QA gate wrote it), if any. */
export async function getQaReport(db: Kysely<Schema>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('releases').select('qa_report').where('id', '=', id).executeTakeFirst();
  return row?.qa_report ?? undefined;
}

/** Removes a release that never got published (and its artifact rows), e.g. before a retried publish job. */
export async function deleteUnpublishedRelease(db: Kysely<Schema>, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('artifacts').where('release_id', '=', id).execute();
    await tx.deleteFrom('cloud_images').where('release_id', '=', id).execute();
    await tx.deleteFrom('release_changelogs').where('release_id', '=', id).execute();
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

/** What a list of products shows of a release: no package list or QA record, which are tens of KB each. */
export type ReleaseHead = Pick<Release, 'id' | 'productId' | 'version' | 'channel' | 'publishedAt' | 'untested'>;

/**
 * The newest published, unrevoked release of each product named (newest by version, as listReleases orders).
 * Reads only the columns a head needs: the catalogue asks on every anonymous page view, and reading every
 * release's package list for that took 1.6 s with 1000 releases of 450 packages (BENCHMARKS.md).
 */
export async function latestReleaseHeads(db: Kysely<Schema>, products: string[]): Promise<Map<string, ReleaseHead>> {
  const newest = new Map<string, ReleaseHead>();
  if (products.length === 0) return newest;
  const rows = await db.selectFrom('releases').select(['id', 'product_id', 'version', 'channel', 'published_at', 'untested'])
    .where('state', '=', 'published').where('revoked_at', 'is', null).where('product_id', 'in', [...new Set(products)]).execute();
  for (const r of rows) {
    const seen = newest.get(r.product_id);
    if (seen && compareVersions(seen.version, r.version) >= 0) continue;
    newest.set(r.product_id, { id: r.id, productId: r.product_id, version: r.version, channel: r.channel as Channel, publishedAt: r.published_at, untested: Boolean(r.untested) });
  }
  return newest;
}

/** Moves a published release to another channel (testing → stable). */
export async function promoteRelease(db: Kysely<Schema>, id: string, to: Channel): Promise<Release> {
  const r = await requirePublished(db, id);
  if (r.revokedAt) throw new AppError('release.revoked', `release ${r.productId} ${r.version} is revoked`, { kind: 'conflict', hint: 'publish a new release instead' });
  if (to === 'stable' && r.untested) {
    throw new AppError('release.untested', `release ${r.productId} ${r.version} was published without QA (--allow-untested) and cannot reach stable`, {
      kind: 'conflict', hint: 'build with QA (`herd build --test`, or a build job with qa full) and publish that build',
    });
  }
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
    untested: Boolean(r.untested), qa: r.qa_record ? JSON.parse(r.qa_record) : null,
  };
}
