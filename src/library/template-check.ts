import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { BudgetLine } from '../engine/size-budget.ts';
import { AppError, isAppError } from '../errors.ts';
import type { Job } from '../queue/queue.ts';
import type { ReleaseServices } from '../release/services.ts';
import { bindCheckJob, claimCheck, failChecksOfEndedJobs, getRevision, reopenFailedCheck, setRevisionCheck, type TemplateRevision } from '../store/templates.ts';
import { writeTemplateRecipe } from './template-recipe.ts';

/**
 * A build job of a template revision (a `build` job whose payload names `template` instead of a catalogue
 * `recipe`). `check: true` is the revision's check (build, boot QA, size budget) and records its outcome
 * on the revision; `check: false` is a build of an approved template. Neither is ever published.
 */
export const TemplateBuildPayload = z.strictObject({
  v: z.literal(2), template: z.uuid(), check: z.boolean(), qa: z.literal('full'), publish: z.literal(false),
});
export type TemplateBuildPayload = z.infer<typeof TemplateBuildPayload>;

export const CheckDetail = z.object({
  v: z.literal(1),
  build: z.enum(['passed', 'failed']),
  boot: z.enum(['passed', 'failed', 'not_run']),
  size: z.object({ item: z.string().optional(), bytes: z.number().optional(), budget: z.number().optional(), ok: z.boolean() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type CheckDetail = z.infer<typeof CheckDetail>;

/** Builds a recipe file into `outDir` and boot-tests it (QA 'full'): the engine and QA gate, as the worker runs them. */
export type BuildAndTest = (recipePath: string, outDir: string) => Promise<{ budget: BudgetLine[] }>;

export function isTemplatePayload(p: unknown): boolean {
  return !!p && typeof p === 'object' && 'template' in p;
}

export async function enqueueTemplateBuild(svc: ReleaseServices, revisionId: string, check: boolean): Promise<Job> {
  const payload: TemplateBuildPayload = { v: 2, template: revisionId, check, qa: 'full', publish: false };
  // one retry for a passing fault (a mirror down); a failing image fails the same way twice
  const job = await svc.queue.enqueue('build', payload, { maxAttempts: 2 });
  if (!check) return job;
  // the revision is pending with no job (new, or reopened): this job becomes its check, unless another got
  // there first (a reader recovering what looked like an orphaned check, startOrphanedChecks). Then that job
  // is the check: ours is cancelled (it would end without building anyway) and the caller gets the one that runs.
  await bindCheckJob(svc.store.db, revisionId, job.id);
  const bound = (await getRevision(svc.store.db, revisionId))?.checkJobId;
  if (!bound || bound === job.id) return job;
  const running = await svc.queue.get(bound);
  if (!running) return job;
  await svc.queue.cancel(job.id).catch(() => undefined);
  return running;
}

/**
 * A failed check of `rev` run again (the rules are recheckTemplate's): reopened only if still failed by the
 * job its caller saw, so of two requests at once the second is refused and one job runs.
 */
export async function enqueueRecheck(svc: ReleaseServices, rev: TemplateRevision): Promise<Job> {
  if (!rev.checkJobId || !(await reopenFailedCheck(svc.store.db, rev.id, rev.checkJobId))) {
    throw new AppError('library.concurrent_recheck', 'this check was started again at the same moment', { kind: 'conflict', hint: 'reload the template' });
  }
  try {
    return await enqueueTemplateBuild(svc, rev.id, true);
  } catch (e) {
    // no job will run it: failed as it was, so that it can be started again
    await setRevisionCheck(svc.store.db, rev.id, { state: 'failed', jobId: rev.checkJobId });
    throw e;
  }
}

/**
 * Whether a failed check judged the image itself: the build passed and its size budget or boot test refused
 * it. Running that check again would only retry the verdict; a new revision changes the image instead.
 */
export function failedOnTheImage(detail: unknown): boolean {
  const d = CheckDetail.safeParse(detail);
  return d.success && d.data.build === 'passed';
}

/**
 * The worker's side: the stored text written as a recipe file in a private temporary folder (its `extends`
 * pointing into the catalogue), built and tested. A check job records passed only when the build, the boot
 * QA and the size budget all passed; only the revision's own check job records (not an older duplicate).
 */
export async function runTemplateBuild(svc: ReleaseServices, job: Pick<Job, 'id' | 'attempts' | 'maxAttempts'>, p: TemplateBuildPayload, outDir: string, build: BuildAndTest) {
  const rev = await getRevision(svc.store.db, p.template);
  if (!rev) throw new AppError('library.unknown_revision', `no template revision ${p.template}`, { hint: 'the template was removed; nothing to build' });
  const records = p.check && await claimCheck(svc.store.db, rev.id, job.id);
  // a second check job of the same revision (two readers recovered one orphaned check at once, below): the
  // revision's own job does the work; this one would build the same image for nothing
  if (p.check && !records) return { tested: false, template: rev.templateId, revision: rev.number, superseded: true };
  const dir = mkdtempSync(join(tmpdir(), 'herd-template-'));
  try {
    const recipePath = await writeTemplateRecipe(rev.recipeText, svc.recipesDir, dir);
    const { budget } = await build(recipePath, outDir);
    const detail: CheckDetail = { v: 1, build: 'passed', boot: 'passed', size: sizeOf(budget) };
    if (records) await setRevisionCheck(svc.store.db, rev.id, { state: 'passed', detail });
    return { outDir, tested: true, template: rev.templateId, revision: rev.number, check: detail };
  } catch (e) {
    // anyone may read the detail: the server's folders are not theirs to see
    const hide = (m: string) => [outDir, dir, svc.recipesDir].reduce((t, d) => t.split(d).join('…'), m);
    // failed once no attempt is left; until then the check is pending again, with what went wrong
    const state = job.attempts >= job.maxAttempts ? 'failed' : 'pending';
    if (records) await setRevisionCheck(svc.store.db, rev.id, { state, detail: failureDetail(e, hide) });
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a check that ended without running to its end records: which part failed is not known. */
export const CHECK_ENDED: CheckDetail = {
  v: 1, build: 'failed', boot: 'not_run', size: null,
  error: { code: 'library.check_ended', message: 'the check job ended without a result' },
};

/**
 * Revisions as read, with every check whose job ended without recording an outcome (its worker died on
 * the last attempt, or it was cancelled) failed, in the store too: such a revision would otherwise stay
 * pending or running for ever. Settled when read, so whichever worker or process ended the job, the next
 * look at the template sees it; only reads that find an open check touch the database.
 */
export async function settleEndedChecks(svc: ReleaseServices, revisions: TemplateRevision[], now = Date.now()): Promise<TemplateRevision[]> {
  const settled = await startOrphanedChecks(svc, revisions, now);
  const open = settled.filter((r) => r.checkJobId && (r.checkState === 'pending' || r.checkState === 'running'));
  if (!open.length) return settled;
  const failed = new Set(await failChecksOfEndedJobs(svc.store.db, open.map((r) => r.id), CHECK_ENDED));
  return settled.map((r) => (failed.has(r.id) ? { ...r, checkState: 'failed', checkDetail: CHECK_ENDED } : r));
}

/** How long a new revision may wait for its check job before a reader starts one: far longer than the moment between the two writes. */
export const ORPHANED_CHECK_AFTER_MS = 60_000;

/**
 * A revision is stored, then its check job enqueued: a process that dies between the two leaves a revision
 * pending with no job, which nothing would ever check. A read that finds one (older than
 * ORPHANED_CHECK_AFTER_MS, so a submission still on its way is left alone) enqueues the check of a template's
 * current revision. A check run again by its author passes through the same state (reopened, then enqueued);
 * whichever job binds first is the check, and enqueueTemplateBuild hands the other caller that job. A job
 * that is not its revision's check ends without building (runTemplateBuild).
 */
async function startOrphanedChecks(svc: ReleaseServices, revisions: TemplateRevision[], now: number): Promise<TemplateRevision[]> {
  // only a template's current revision: an older one that was never checked has been replaced, so checking it is wasted work
  const current = new Map<string, number>();
  for (const r of revisions) current.set(r.templateId, Math.max(current.get(r.templateId) ?? 0, r.number));
  const orphans = revisions.filter((r) => !r.checkJobId && r.checkState === 'pending' && r.number === current.get(r.templateId)
    && now - Date.parse(r.createdAt) > ORPHANED_CHECK_AFTER_MS);
  if (!orphans.length) return revisions;
  const bound = new Map<string, TemplateRevision>();
  for (const r of orphans) {
    await enqueueTemplateBuild(svc, r.id, true);
    const fresh = await getRevision(svc.store.db, r.id);
    if (fresh) bound.set(r.id, fresh);
  }
  return revisions.map((r) => bound.get(r.id) ?? r);
}

/** The budget line people compare: the first output with a budget (qcow2 before the others, as checkBudget lists them). */
function sizeOf(budget: BudgetLine[]): CheckDetail['size'] {
  const line = budget.find((b) => b.budget !== undefined) ?? budget[0];
  return line ? { item: line.item, bytes: line.actual, ...(line.budget !== undefined ? { budget: line.budget } : {}), ok: budget.every((b) => b.ok) } : null;
}

/** Which part failed, by the error's code: the size budget and QA run after a build that worked. */
export function failureDetail(e: unknown, hide: (message: string) => string = (m) => m): CheckDetail {
  const raw = isAppError(e) ? e.message : String((e as Error)?.message ?? e);
  const error = { code: isAppError(e) ? e.code : 'internal.unexpected', message: hide(raw).slice(0, 2000) };
  if (error.code === 'size.budget_exceeded') return { v: 1, build: 'passed', boot: 'not_run', size: { ok: false }, error };
  if (error.code === 'qa.failed') return { v: 1, build: 'passed', boot: 'failed', size: { ok: true }, error };
  return { v: 1, build: 'failed', boot: 'not_run', size: null, error };
}
