import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** The reports a release was published with, as stored (JSON text); null where the build had none. */
export interface ReleaseReports { id: string; qaReport: string | null; sizeReport: string | null }

/** One release's reports; undefined when there is no such release. */
export async function getReleaseReports(db: Kysely<Schema>, id: string): Promise<ReleaseReports | undefined> {
  const row = await db.selectFrom('releases').select(['id', 'qa_report', 'size_report']).where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, qaReport: row.qa_report, sizeReport: row.size_report };
}

/** The reports of every published release of a product, by release id (one query, for the product's history). */
export async function publishedReleaseReports(db: Kysely<Schema>, productId: string): Promise<Map<string, ReleaseReports>> {
  const rows = await db.selectFrom('releases').select(['id', 'qa_report', 'size_report'])
    .where('product_id', '=', productId).where('state', '=', 'published').execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, qaReport: r.qa_report, sizeReport: r.size_report }]));
}
