import type { Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import type { Schema } from './schema.ts';

export interface CloudImage { releaseId: string; arch: string; platform: string; region: string; imageId: string }

/**
 * Records an uploaded image. Write-once: a region may be backfilled later, but an existing entry never
 * changes, because clients may already have launched it. Re-recording the same id is a no-op (retries).
 */
export async function recordCloudImage(db: Kysely<Schema>, img: CloudImage): Promise<void> {
  const existing = await currentImageId(db, img);
  if (existing === img.imageId) return;
  if (existing === undefined) {
    try {
      await db.insertInto('cloud_images').values({
        release_id: img.releaseId, arch: img.arch, platform: img.platform, region: img.region, image_id: img.imageId,
        created_at: new Date().toISOString(),
      }).execute();
      return;
    } catch (e) {
      // The primary key settles a race between two recorders; the loser re-reads what won.
      const winner = await currentImageId(db, img).catch(() => undefined);
      if (winner === img.imageId) return;
      if (winner === undefined) throw e;
      throw immutable(img, winner);
    }
  }
  throw immutable(img, existing);
}

async function currentImageId(db: Kysely<Schema>, img: CloudImage): Promise<string | undefined> {
  const row = await db.selectFrom('cloud_images').select('image_id')
    .where('release_id', '=', img.releaseId).where('arch', '=', img.arch)
    .where('platform', '=', img.platform).where('region', '=', img.region).executeTakeFirst();
  return row?.image_id;
}

function immutable(img: CloudImage, existing: string): AppError {
  return new AppError('cloud_image.immutable',
    `${img.platform} ${img.region} ${img.arch} already has image ${existing}; refusing to replace it with ${img.imageId}`,
    { kind: 'conflict', hint: 'cloud image ids are write-once; publish a new release instead' });
}

export async function listCloudImages(db: Kysely<Schema>, releaseIds: string[]): Promise<CloudImage[]> {
  if (releaseIds.length === 0) return [];
  const rows = await db.selectFrom('cloud_images').selectAll().where('release_id', 'in', releaseIds)
    .orderBy('platform').orderBy('region').execute();
  return rows.map((r) => ({ releaseId: r.release_id, arch: r.arch, platform: r.platform, region: r.region, imageId: r.image_id }));
}
