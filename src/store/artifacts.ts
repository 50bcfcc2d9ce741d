import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export interface Artifact {
  id: string;
  releaseId: string;
  arch: string;
  format: string;
  fileName: string;
  location: string;
  size: number;
  sha256: string;
  uncompressedSha256: string | null;
  signature: string;
}

export async function addArtifact(db: Kysely<Schema>, a: Omit<Artifact, 'id'>): Promise<Artifact> {
  const id = randomUUID();
  await db.insertInto('artifacts').values({
    id, release_id: a.releaseId, arch: a.arch, format: a.format, file_name: a.fileName, location: a.location,
    size: a.size, sha256: a.sha256, uncompressed_sha256: a.uncompressedSha256, signature: a.signature,
    created_at: new Date().toISOString(),
  }).execute();
  return { id, ...a };
}

export async function listArtifacts(db: Kysely<Schema>, releaseIds: string[]): Promise<Artifact[]> {
  if (releaseIds.length === 0) return [];
  const rows = await db.selectFrom('artifacts').selectAll().where('release_id', 'in', releaseIds)
    .orderBy('arch').orderBy('format').execute();
  return rows.map(toArtifact);
}

export async function getArtifact(db: Kysely<Schema>, id: string): Promise<Artifact | undefined> {
  const row = await db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toArtifact(row);
}

function toArtifact(r: Schema['artifacts']): Artifact {
  return {
    id: r.id, releaseId: r.release_id, arch: r.arch, format: r.format, fileName: r.file_name, location: r.location,
    size: Number(r.size), sha256: r.sha256, uncompressedSha256: r.uncompressed_sha256, signature: r.signature,
  };
}

export interface ServedArtifact { artifact: Artifact; kind: 'image' | 'signature'; releaseState: string; revoked: boolean }

/**
 * The artifact row a download key belongs to (as the image or its signature), with its release's state:
 * the download route serves only what a published release holds.
 */
export async function findArtifactByKey(db: Kysely<Schema>, key: string): Promise<ServedArtifact | undefined> {
  const row = await db.selectFrom('artifacts').innerJoin('releases', 'releases.id', 'artifacts.release_id')
    .selectAll('artifacts').select(['releases.state as release_state', 'releases.revoked_at as release_revoked_at'])
    .where((eb) => eb.or([eb('artifacts.location', '=', key), eb('artifacts.signature', '=', key)]))
    .orderBy('artifacts.created_at').executeTakeFirst();
  if (!row) return undefined;
  const { release_state, release_revoked_at, ...a } = row;
  return { artifact: toArtifact(a), kind: a.location === key ? 'image' : 'signature', releaseState: release_state, revoked: release_revoked_at !== null };
}
