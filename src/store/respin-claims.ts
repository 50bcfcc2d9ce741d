import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** Who holds a product's respin, and the build job it queued (null while it is being queued). */
export interface RespinClaim { productId: string; claim: string; jobId: string | null; claimedAt: string }

export async function getRespinClaim(db: Kysely<Schema>, productId: string): Promise<RespinClaim | undefined> {
  const r = await db.selectFrom('respin_claims').selectAll().where('product_id', '=', productId).executeTakeFirst();
  return r && { productId: r.product_id, claim: r.claim, jobId: r.job_id, claimedAt: r.claimed_at };
}

/**
 * Takes the product's respin for `claim`, in one statement on either dialect: the first claim of a product
 * inserts its row (ON CONFLICT DO NOTHING: of two inserts one wins); a later one replaces exactly the claim
 * the caller saw (`replacing`), so of two callers that saw the same finished respin only one takes it over.
 * True when the caller holds the respin now.
 */
export async function takeRespinClaim(db: Kysely<Schema>, productId: string, claim: string, replacing?: string): Promise<boolean> {
  const claimedAt = new Date().toISOString();
  if (replacing === undefined) {
    const r = await db.insertInto('respin_claims').values({ product_id: productId, claim, job_id: null, claimed_at: claimedAt })
      .onConflict((oc) => oc.column('product_id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const r = await db.updateTable('respin_claims').set({ claim, job_id: null, claimed_at: claimedAt })
    .where('product_id', '=', productId).where('claim', '=', replacing).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records the job the holder queued; false when the claim is no longer the caller's. */
export async function setRespinJob(db: Kysely<Schema>, productId: string, claim: string, jobId: string): Promise<boolean> {
  const r = await db.updateTable('respin_claims').set({ job_id: jobId })
    .where('product_id', '=', productId).where('claim', '=', claim).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives a claim up (its job could not be queued), so the next respin need not wait for it to go stale. */
export async function dropRespinClaim(db: Kysely<Schema>, productId: string, claim: string): Promise<void> {
  await db.deleteFrom('respin_claims').where('product_id', '=', productId).where('claim', '=', claim).execute();
}
