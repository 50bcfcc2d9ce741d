import type { Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import type { Schema } from './schema.ts';

export interface CloudImage { releaseId: string; arch: string; platform: string; region: string; imageId: string }

/**
 * Records an uploaded image. Write-once: a region may be backfilled later, but an existing entry never
 * changes, because clients may already have launched it. Re-recording the same id is a no-op (retries).
 */
export async function recordCloudImage(db: Kysely<Schema>, img: CloudImage): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('cloud_images').select('image_id')
      .where('release_id', '=', img.releaseId).where('arch', '=', img.arch)
      .where('platform', '=', img.platform).where('region', '=', img.region).executeTakeFirst();
    if (existing?.image_id === img.imageId) return;
    if (existing) {
      throw new AppError('cloud_image.immutable',
        `${img.platform} ${img.region} ${img.arch} already has image ${existing.image_id}; refusing to replace it with ${img.imageId}`,
        { hint: 'cloud image ids are write-once; publish a new release instead' });
    }
    await tx.insertInto('cloud_images').values({
      release_id: img.releaseId, arch: img.arch, platform: img.platform, region: img.region, image_id: img.imageId,
      created_at: new Date().toISOString(),
    }).execute();
  });
}

export async function listCloudImages(db: Kysely<Schema>, releaseIds: string[]): Promise<CloudImage[]> {
  if (releaseIds.length === 0) return [];
  const rows = await db.selectFrom('cloud_images').selectAll().where('release_id', 'in', releaseIds)
    .orderBy('platform').orderBy('region').execute();
  return rows.map((r) => ({ releaseId: r.release_id, arch: r.arch, platform: r.platform, region: r.region, imageId: r.image_id }));
}
