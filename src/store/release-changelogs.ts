import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/**
 * Release changelogs as JSON documents: the release layer (src/release/release-changelog.ts) owns their shape;
 * the store keeps them and reads them back. Written once per release, before it is published, and removed
 * with an unpublished release (deleteUnpublishedRelease).
 */
export async function putReleaseChangelog(db: Kysely<Schema>, releaseId: string, c: { againstId?: string; summary: unknown; changelog: unknown }): Promise<void> {
  await db.insertInto('release_changelogs').values({
    release_id: releaseId, against_id: c.againstId ?? null, summary: JSON.stringify(c.summary), changelog: JSON.stringify(c.changelog), created_at: new Date().toISOString(),
  }).execute();
}

export async function getReleaseChangelog(db: Kysely<Schema>, releaseId: string): Promise<unknown | undefined> {
  const row = await db.selectFrom('release_changelogs').select('changelog').where('release_id', '=', releaseId).executeTakeFirst();
  return row ? JSON.parse(row.changelog) : undefined;
}

/** The summaries of many releases (a feed's), by release id; releases without a changelog are absent. */
export async function releaseChangelogSummaries(db: Kysely<Schema>, releaseIds: string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  // chunks: SQLite limits the number of bound parameters in one statement
  for (let i = 0; i < releaseIds.length; i += 500) {
    const rows = await db.selectFrom('release_changelogs').select(['release_id', 'summary']).where('release_id', 'in', releaseIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.release_id, JSON.parse(r.summary));
  }
  return out;
}
