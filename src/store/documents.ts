import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export interface StoredDocument { path: string; body: string; contentType: string; etag: string; updatedAt: string }

export function etagOf(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

export async function getDocument(db: Kysely<Schema>, path: string): Promise<StoredDocument | undefined> {
  const r = await db.selectFrom('documents').selectAll().where('path', '=', path).executeTakeFirst();
  return r && { path: r.path, body: r.body, contentType: r.content_type, etag: r.etag, updatedAt: r.updated_at };
}

export async function listDocuments(db: Kysely<Schema>): Promise<StoredDocument[]> {
  const rows = await db.selectFrom('documents').selectAll().orderBy('path').execute();
  return rows.map((r) => ({ path: r.path, body: r.body, contentType: r.content_type, etag: r.etag, updatedAt: r.updated_at }));
}
