import { createHash, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { Schema, TemplateCheckState, TemplateReviewTable, TemplateRevisionTable, TemplateTable, TemplateVerdict } from './schema.ts';

/** Plain queries of the template library; who may do what is decided above the store (src/library/review-policy.ts). */
export interface Template {
  id: string;
  slug: string;
  title: string;
  description: string;
  author: string;
  extends: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateRevision {
  id: string;
  templateId: string;
  number: number;
  recipeText: string;
  digest: string;
  createdAt: string;
  checkJobId: string | null;
  checkState: TemplateCheckState;
  checkDetail: unknown;
}

export interface TemplateReview {
  id: string;
  revisionId: string;
  reviewer: string;
  verdict: TemplateVerdict;
  comment: string;
  createdAt: string;
  dismissedAt: string | null;
}

export function textDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A template with its first revision, in one transaction: there is never a template without a revision. */
export async function createTemplate(db: Kysely<Schema>, t: { slug: string; title: string; description: string; author: string; extends: string | null; recipeText: string; now?: Date }): Promise<{ template: Template; revision: TemplateRevision }> {
  const at = (t.now ?? new Date()).toISOString();
  const row: TemplateTable = { id: randomUUID(), slug: t.slug, title: t.title, description: t.description, author: t.author, extends: t.extends, created_at: at, updated_at: at };
  return db.transaction().execute(async (tx) => {
    if (await tx.selectFrom('templates').select('id').where('slug', '=', t.slug).executeTakeFirst()) throw slugTaken(t.slug);
    await tx.insertInto('templates').values(row).execute();
    const revision = await insertRevision(tx, row.id, 1, t.recipeText, at);
    return { template: toTemplate(row), revision };
  }).catch((e) => { throw isUniqueViolation(e) ? slugTaken(t.slug) : e; });
}

/** The next revision of a template; the (template, number) constraint turns a concurrent duplicate into a conflict. */
export async function addRevision(db: Kysely<Schema>, templateId: string, recipeText: string, now = new Date()): Promise<TemplateRevision> {
  const at = now.toISOString();
  return db.transaction().execute(async (tx) => {
    const last = await tx.selectFrom('template_revisions').select((e) => e.fn.max('number').as('n')).where('template_id', '=', templateId).executeTakeFirst();
    const revision = await insertRevision(tx, templateId, Number(last?.n ?? 0) + 1, recipeText, at);
    await tx.updateTable('templates').set({ updated_at: at }).where('id', '=', templateId).execute();
    return revision;
  }).catch((e) => {
    if (isUniqueViolation(e)) throw new AppError('library.concurrent_revision', 'another revision of this template was submitted at the same moment', { kind: 'conflict', hint: 'reload the template and submit again' });
    throw e;
  });
}

async function insertRevision(db: Kysely<Schema>, templateId: string, number: number, recipeText: string, at: string): Promise<TemplateRevision> {
  const row: TemplateRevisionTable = {
    id: randomUUID(), template_id: templateId, number, recipe_text: recipeText, digest: textDigest(recipeText), created_at: at,
    check_job_id: null, check_state: 'pending', check_detail: null,
  };
  await db.insertInto('template_revisions').values(row).execute();
  return toRevision(row);
}

export async function getTemplate(db: Kysely<Schema>, id: string): Promise<Template | undefined> {
  const row = await db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTemplate(row);
}

export async function getTemplateBySlug(db: Kysely<Schema>, slug: string): Promise<Template | undefined> {
  const row = await db.selectFrom('templates').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && toTemplate(row);
}

/**
 * Templates newest first; `words` must each occur (case-insensitively) in the title, description or author.
 * LIKE wildcards in a word are escaped, so `%` searches for a percent sign.
 */
export async function listTemplates(db: Kysely<Schema>, o: { words?: string[]; limit?: number } = {}): Promise<Template[]> {
  let q = db.selectFrom('templates').selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(Math.min(o.limit ?? 200, 1000));
  for (const w of o.words ?? []) {
    const pattern = `%${w.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q = q.where(sql<boolean>`lower(title || ' ' || description || ' ' || author) like ${pattern} escape '\\'`);
  }
  return (await q.execute()).map(toTemplate);
}

/** Every revision of the templates named, oldest first. */
export async function listRevisions(db: Kysely<Schema>, templateIds: string[]): Promise<TemplateRevision[]> {
  if (!templateIds.length) return [];
  return (await db.selectFrom('template_revisions').selectAll().where('template_id', 'in', templateIds).orderBy('template_id').orderBy('number').execute()).map(toRevision);
}

export async function getRevision(db: Kysely<Schema>, id: string): Promise<TemplateRevision | undefined> {
  const row = await db.selectFrom('template_revisions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRevision(row);
}

/** Every review of the revisions named, oldest first. */
export async function listReviews(db: Kysely<Schema>, revisionIds: string[]): Promise<TemplateReview[]> {
  if (!revisionIds.length) return [];
  return (await db.selectFrom('template_reviews').selectAll().where('revision_id', 'in', revisionIds).orderBy('created_at').orderBy('id').execute()).map(toReview);
}

export async function addReview(db: Kysely<Schema>, r: { revisionId: string; reviewer: string; verdict: TemplateVerdict; comment: string; now?: Date }): Promise<TemplateReview> {
  const row: TemplateReviewTable = { id: randomUUID(), revision_id: r.revisionId, reviewer: r.reviewer, verdict: r.verdict, comment: r.comment, created_at: (r.now ?? new Date()).toISOString(), dismissed_at: null };
  await db.insertInto('template_reviews').values(row).execute();
  return toReview(row);
}

/** Marks reviews dismissed (kept for the record); reviews dismissed already keep their first time. */
export async function dismissReviews(db: Kysely<Schema>, ids: string[], now = new Date()): Promise<void> {
  if (!ids.length) return;
  await db.updateTable('template_reviews').set({ dismissed_at: now.toISOString() }).where('id', 'in', ids).where('dismissed_at', 'is', null).execute();
}

/** The check of a revision: its job, its state and (once it ended) what it found. */
export async function setRevisionCheck(db: Kysely<Schema>, revisionId: string, c: { state: TemplateCheckState; jobId?: string; detail?: unknown }): Promise<void> {
  await db.updateTable('template_revisions').set({
    check_state: c.state,
    ...(c.jobId !== undefined ? { check_job_id: c.jobId } : {}),
    ...(c.detail !== undefined ? { check_detail: JSON.stringify(c.detail) } : {}),
  }).where('id', '=', revisionId).execute();
}

/**
 * Of the revisions named, those whose check is still pending or running although its job has ended failed
 * or cancelled are marked failed with `detail`; returns their ids. The check job records its own outcome
 * before the queue ends it, so a revision still open then was never told: its worker died on the last
 * attempt (the queue failed the job for missed heartbeats) or the job was cancelled. A revision that
 * recorded an outcome is never overwritten (the state is part of the WHERE).
 */
export async function failChecksOfEndedJobs(db: Kysely<Schema>, revisionIds: string[], detail: unknown): Promise<string[]> {
  if (!revisionIds.length) return [];
  const rows = await db.updateTable('template_revisions').set({ check_state: 'failed', check_detail: JSON.stringify(detail) })
    .where('id', 'in', revisionIds).where('check_state', 'in', ['pending', 'running'])
    .where('check_job_id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', 'in', ['failed', 'cancelled']))
    .returning('id').execute();
  return rows.map((r) => r.id);
}

/**
 * A failed check pending again with no job yet (bindCheckJob gives it one), only if it is still failed with
 * the job the caller saw (compare and set): of two re-runs at the same moment exactly one gets true.
 */
export async function reopenFailedCheck(db: Kysely<Schema>, revisionId: string, seenJobId: string): Promise<boolean> {
  const r = await db.updateTable('template_revisions').set({ check_state: 'pending', check_job_id: null })
    .where('id', '=', revisionId).where('check_state', '=', 'failed').where('check_job_id', '=', seenJobId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * A revision's check is the job that binds it first. The job is enqueued before its id is written here, so
 * the worker may take it in between: then the job's own claimCheck has bound it already and this does nothing.
 */
export async function bindCheckJob(db: Kysely<Schema>, revisionId: string, jobId: string): Promise<void> {
  await db.updateTable('template_revisions').set({ check_job_id: jobId }).where('id', '=', revisionId).where('check_job_id', 'is', null).execute();
}

/** The check job marks its revision running if the revision's check is this job (or no job yet); true when it is the one that records. */
export async function claimCheck(db: Kysely<Schema>, revisionId: string, jobId: string): Promise<boolean> {
  const r = await db.updateTable('template_revisions').set({ check_state: 'running', check_job_id: jobId })
    .where('id', '=', revisionId).where((eb) => eb.or([eb('check_job_id', '=', jobId), eb('check_job_id', 'is', null)])).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Revisions (first ones included) of templates by `author` since `since`: what the submission rate limit counts. */
export async function countRevisionsBy(db: Kysely<Schema>, author: string, since: Date): Promise<number> {
  const row = await db.selectFrom('template_revisions').innerJoin('templates', 'templates.id', 'template_revisions.template_id')
    .select((e) => e.fn.countAll().as('n')).where('templates.author', '=', author).where('template_revisions.created_at', '>=', since.toISOString()).executeTakeFirst();
  return Number(row?.n ?? 0);
}

function slugTaken(slug: string): AppError {
  return new AppError('library.slug_taken', `a template named "${slug}" exists`, { kind: 'conflict', hint: 'pick another slug, or submit a revision of that template' });
}

/** SQLite says SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505. */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

function toTemplate(r: TemplateTable): Template {
  return { id: r.id, slug: r.slug, title: r.title, description: r.description, author: r.author, extends: r.extends, createdAt: r.created_at, updatedAt: r.updated_at };
}

function toRevision(r: TemplateRevisionTable): TemplateRevision {
  return {
    id: r.id, templateId: r.template_id, number: Number(r.number), recipeText: r.recipe_text, digest: r.digest, createdAt: r.created_at,
    checkJobId: r.check_job_id, checkState: r.check_state, checkDetail: r.check_detail === null ? null : JSON.parse(r.check_detail),
  };
}

function toReview(r: TemplateReviewTable): TemplateReview {
  return { id: r.id, revisionId: r.revision_id, reviewer: r.reviewer, verdict: r.verdict, comment: r.comment, createdAt: r.created_at, dismissedAt: r.dismissed_at };
}
