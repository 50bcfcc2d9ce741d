import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** A step of a release's publication to a target, as recorded. */
export interface PublicationStep {
  step: string;
  region: string;
  status: 'done' | 'failed';
  result: Record<string, unknown>;
  error: string | null;
  attempts: number;
  updatedAt: string;
}

export async function publicationSteps(db: Kysely<Schema>, releaseId: string, target: string): Promise<PublicationStep[]> {
  // in the order the steps finished (the plan's order): later results are merged over earlier ones
  const rows = await db.selectFrom('cloud_publications').selectAll().where('release_id', '=', releaseId).where('target', '=', target).orderBy('updated_at').orderBy('step').execute();
  return rows.map((r) => ({
    step: r.step, region: r.region, status: r.status, result: r.result ? JSON.parse(r.result) as Record<string, unknown> : {},
    error: r.error, attempts: r.attempts, updatedAt: r.updated_at,
  }));
}

/** Every target a release has publication steps for. */
export async function publicationTargets(db: Kysely<Schema>, releaseId: string): Promise<string[]> {
  const rows = await db.selectFrom('cloud_publications').select('target').distinct().where('release_id', '=', releaseId).execute();
  return rows.map((r) => r.target).sort();
}

/**
 * Records a step's outcome. A step recorded done stays done (its result is what later steps and the feed were
 * built from): a second runner finishing the same step does not overwrite it, and a failure never replaces it.
 */
export async function recordStep(db: Kysely<Schema>, releaseId: string, target: string,
  s: { step: string; region: string; status: 'done' | 'failed'; result?: Record<string, unknown>; error?: string; attempts: number }): Promise<void> {
  const row = {
    release_id: releaseId, target, step: s.step, region: s.region, status: s.status,
    result: s.result ? JSON.stringify(s.result) : null, error: s.error ?? null, attempts: s.attempts, updated_at: new Date().toISOString(),
  };
  await db.insertInto('cloud_publications').values(row)
    .onConflict((oc) => oc.columns(['release_id', 'target', 'step']).doUpdateSet({
      status: row.status, result: row.result, error: row.error, attempts: row.attempts, updated_at: row.updated_at,
    }).where('cloud_publications.status', '!=', 'done'))
    .execute();
}
