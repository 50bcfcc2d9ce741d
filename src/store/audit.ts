import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/** What the audit log records (issue #10: sign-ins, reviews, promotions, revocations). */
export type AuditAction =
  | 'sign_in' | 'sign_in_failed' | 'sign_out'
  | 'account_created' | 'account_role_changed' | 'account_disabled'
  | 'review_approved' | 'review_changes_requested'
  | 'release_promoted' | 'release_revoked' | 'release_publish_cloud'
  | 'template_reviewed' | 'template_check_rerun';

export interface AuditEntry { id: number; at: string; actor: string; action: AuditAction; subject: string; detail: Record<string, unknown> }

export async function recordAudit(db: Kysely<Schema>, e: { actor: string; action: AuditAction; subject: string; detail?: Record<string, unknown>; now?: Date }): Promise<void> {
  await db.insertInto('audit_log').values({
    at: (e.now ?? new Date()).toISOString(), actor: e.actor.slice(0, 200), action: e.action, subject: e.subject.slice(0, 200),
    detail: JSON.stringify(e.detail ?? {}),
  }).execute();
}

/** Entries of `action` by `actor` since `since`: what a rate limit on an audited action counts. */
export async function countAudit(db: Kysely<Schema>, o: { actor: string; action: AuditAction; since: Date }): Promise<number> {
  const row = await db.selectFrom('audit_log').select((e) => e.fn.countAll().as('n'))
    .where('actor', '=', o.actor).where('action', '=', o.action).where('at', '>=', o.since.toISOString()).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Newest first. */
export async function listAudit(db: Kysely<Schema>, o: { limit?: number; action?: AuditAction } = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(Math.min(o.limit ?? 100, 1000));
  if (o.action) q = q.where('action', '=', o.action);
  return (await q.execute()).map((r) => ({ id: Number(r.id), at: r.at, actor: r.actor, action: r.action as AuditAction, subject: r.subject, detail: JSON.parse(r.detail) }));
}
