import { AppError } from '../errors.ts';
import type { Principal } from '../catalog/roles.ts';
import type { Job } from '../queue/queue.ts';
import type { ReleaseServices } from '../release/services.ts';
import { countAudit, recordAudit } from '../store/audit.ts';
import {
  addReview, addRevision, countRevisionsBy, createTemplate, dismissReviews, getTemplate, listReviews, listRevisions, listTemplates,
  type Template, type TemplateReview, type TemplateRevision,
} from '../store/templates.ts';
import { actorOf, approvalsToDismiss, checkBuild, checkRecheck, checkReview, checkRevise, type TemplateState, templateState, type Verdict } from './review-policy.ts';
import { enqueueRecheck, enqueueTemplateBuild, failedOnTheImage, settleEndedChecks } from './template-check.ts';
import { checkTemplateText } from './template-recipe.ts';

/** The library's use cases: store calls in the order the review policy allows them. */
export interface LibraryOptions {
  /** Revisions (first ones included) and checks run again one author may ask for per window (default 10 an hour). */
  submissions?: { max: number; windowMs: number };
}

export interface TemplateView { template: Template; revisions: TemplateRevision[]; reviews: TemplateReview[]; state: TemplateState }

export async function templateView(svc: ReleaseServices, id: string): Promise<TemplateView> {
  const template = await getTemplate(svc.store.db, id);
  if (!template) throw new AppError('library.not_found', `no template with id ${id}`, { kind: 'not_found', hint: 'GET /api/library lists the templates' });
  return (await viewsOf(svc, [template]))[0]!;
}

/** Templates matching every search word, each with its revisions, reviews and state (three queries in all). */
export async function searchTemplates(svc: ReleaseServices, words: string[]): Promise<TemplateView[]> {
  return viewsOf(svc, await listTemplates(svc.store.db, { words }));
}

async function viewsOf(svc: ReleaseServices, templates: Template[]): Promise<TemplateView[]> {
  const revisions = await settleEndedChecks(svc, await listRevisions(svc.store.db, templates.map((t) => t.id)));
  const reviews = await listReviews(svc.store.db, revisions.map((r) => r.id));
  return templates.map((template) => {
    const mine = revisions.filter((r) => r.templateId === template.id);
    const ids = new Set(mine.map((r) => r.id));
    const view = { template, revisions: mine, reviews: reviews.filter((r) => ids.has(r.revisionId)) };
    return { ...view, state: templateState({ author: template.author, ...view }) };
  });
}

/** Each revision and each check run again is a build and a boot: they share one limit per author. */
async function checkRate(svc: ReleaseServices, author: string, o: LibraryOptions, now: Date): Promise<void> {
  const { max, windowMs } = o.submissions ?? { max: 10, windowMs: 60 * 60_000 };
  const since = new Date(now.getTime() - windowMs);
  const used = await countRevisionsBy(svc.store.db, author, since) + await countAudit(svc.store.db, { actor: author, action: 'template_check_rerun', since });
  if (used >= max) {
    throw new AppError('library.rate_limited', `${author} submitted ${max} recipes in the last ${Math.round(windowMs / 60_000)} minutes`, {
      kind: 'rate_limited', hint: 'each submission is built and boot-tested; wait, then submit again',
    });
  }
}

/** A new template: its text checked like `herd lint` plus the template rules, then its first check build queued. */
export async function submitTemplate(svc: ReleaseServices, who: Principal, t: { slug: string; title: string; description: string; recipe: string }, o: LibraryOptions = {}): Promise<{ view: TemplateView; check: Job }> {
  const author = actorOf(who).name;
  const now = new Date();
  await checkRate(svc, author, o, now);
  const checked = await checkTemplateText(t.recipe, svc.recipesDir);
  const { template, revision } = await createTemplate(svc.store.db, { slug: t.slug, title: t.title, description: t.description, author, extends: checked.extendsId, recipeText: t.recipe, now });
  const check = await enqueueTemplateBuild(svc, revision.id, true);
  return { view: await templateView(svc, template.id), check };
}

/** A new revision by the author: checked again, earlier approvals dismissed (approval binds to content), its check queued. */
export async function reviseTemplate(svc: ReleaseServices, who: Principal, id: string, recipe: string, o: LibraryOptions = {}): Promise<{ view: TemplateView; revision: TemplateRevision; check: Job }> {
  const before = await templateView(svc, id);
  checkRevise({ author: before.template.author, ...before }, actorOf(who));
  const now = new Date();
  await checkRate(svc, before.template.author, o, now);
  const checked = await checkTemplateText(recipe, svc.recipesDir);
  if (checked.extendsId !== before.template.extends) {
    throw new AppError('library.extends_changed', `this template extends ${before.template.extends ?? 'nothing'}; a revision cannot change that`, { hint: 'submit a new template for another base' });
  }
  const revision = await addRevision(svc.store.db, id, recipe, now);
  await dismissReviews(svc.store.db, approvalsToDismiss({ author: before.template.author, ...before }, revision.id), now);
  const check = await enqueueTemplateBuild(svc, revision.id, true);
  return { view: await templateView(svc, id), revision, check };
}

/** A reviewer's verdict on the revision whose digest they read; audited. */
export async function reviewTemplate(svc: ReleaseServices, who: Principal, id: string, r: { revision: string; verdict: Verdict; comment: string }): Promise<{ view: TemplateView; review: TemplateReview }> {
  const before = await templateView(svc, id);
  const actor = actorOf(who);
  const revision = checkReview({ author: before.template.author, ...before }, actor, r.revision);
  const review = await addReview(svc.store.db, { revisionId: revision.id, reviewer: actor.name, verdict: r.verdict, comment: r.comment });
  await recordAudit(svc.store.db, { actor: actor.name, action: 'template_reviewed', subject: before.template.slug, detail: { template: id, revision: revision.number, digest: revision.digest, verdict: r.verdict } });
  return { view: await templateView(svc, id), review };
}

/**
 * The author runs the failed check of the current revision (named by its digest) again, on the same text:
 * only when it failed before the image was judged (the build broke, or its job ended without a result: a
 * mirror down, a worker lost), never to retry a size budget or boot verdict. Limited with submissions; audited.
 */
export async function recheckTemplate(svc: ReleaseServices, who: Principal, id: string, digest: string, o: LibraryOptions = {}): Promise<{ view: TemplateView; check: Job }> {
  const before = await templateView(svc, id);
  const actor = actorOf(who);
  const current = checkRecheck({ author: before.template.author, ...before }, actor, digest);
  const revision = before.revisions.find((r) => r.id === current.id)!;
  if (failedOnTheImage(revision.checkDetail)) {
    throw new AppError('library.check_verdict', `revision ${revision.number} was built and its size budget or boot test refused it; running that check again would give the same verdict`, {
      kind: 'conflict', hint: 'change the recipe and submit it as a new revision',
    });
  }
  await checkRate(svc, actor.name, o, new Date());
  const check = await enqueueRecheck(svc, revision);
  await recordAudit(svc.store.db, { actor: actor.name, action: 'template_check_rerun', subject: before.template.slug, detail: { template: id, revision: revision.number, digest: revision.digest, job: check.id } });
  return { view: await templateView(svc, id), check };
}

/** A build of the approved template's current revision (QA full, never published). */
export async function buildTemplate(svc: ReleaseServices, id: string): Promise<Job> {
  const view = await templateView(svc, id);
  const revision = checkBuild({ author: view.template.author, ...view });
  return enqueueTemplateBuild(svc, revision.id, false);
}
