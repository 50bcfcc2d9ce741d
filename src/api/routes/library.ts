import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { type LibraryOptions, recheckTemplate, reviseTemplate, reviewTemplate, searchTemplates, submitTemplate, buildTemplate, templateView, type TemplateView } from '../../library/library.ts';
import { CheckDetail } from '../../library/template-check.ts';
import { TEMPLATE_TEXT_MAX } from '../../library/template-recipe.ts';
import { catalogueReader } from '../../release/catalogue-entries.ts';
import { latestReleases } from '../../release/catalogue-list.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { IsoTime, JobView } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

/**
 * The template library: official catalogue recipes and community templates, submitted by contributors and
 * peer-reviewed (src/library/review-policy.ts). Reads are anonymous; text people wrote (title, description,
 * recipe, comments) is returned verbatim as JSON strings: rendering it inert is the client's job.
 */
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const STATES = ['checking', 'check_failed', 'in_review', 'approved', 'changes_requested'] as const;
const CHECK_STATES = ['pending', 'running', 'passed', 'failed'] as const;
const Digest = z.string().length(64).regex(/^[0-9a-f]{64}$/, 'the sha256 (hex) of the revision\'s recipe text');
// the body limit (64 KiB, 413) is reached before this one: a text that long never fits in the JSON body
const RecipeText = z.string().min(1).max(TEMPLATE_TEXT_MAX).describe('the recipe as YAML text; `extends` names an official recipe by id');

const Id = z.object({ id: z.uuid() });
const Query = z.object({ q: text({ max: 200 }).optional(), tier: z.enum(['official', 'community']).optional() });
const NewTemplate = z.strictObject({
  slug: z.string().max(63).regex(SLUG, 'lower-case letters, digits and -, 2 to 63 characters'),
  title: text({ min: 1, max: 80 }),
  description: text({ max: 2000, multiline: true }),
  recipe: RecipeText,
});
const NewRevision = z.strictObject({ recipe: RecipeText });
const NewCheck = z.strictObject({ revision: Digest.describe('digest of the current revision, whose failed check runs again') });
const NewReview = z.strictObject({
  revision: Digest.describe('digest of the revision reviewed: a review of a superseded revision is refused (409)'),
  verdict: z.enum(['approve', 'request_changes']),
  comment: text({ max: 4000, multiline: true }).default(''),
});

const Size = CheckDetail.shape.size;
const OfficialItem = z.object({
  tier: z.literal('official'), id: z.string(), title: z.string(), summary: z.string(), extends: z.string().nullable(),
  latest: z.object({ version: z.string(), channel: z.string(), publishedAt: IsoTime.nullable(), qcow2Bytes: z.number().optional() }).nullable(),
});
const CommunityItem = z.object({
  tier: z.literal('community'), id: z.uuid(), slug: z.string(), title: z.string(), description: z.string(), author: z.string(),
  extends: z.string().nullable(), state: z.enum(STATES), revision: z.number().int(), updatedAt: IsoTime,
  size: Size, lastCheck: z.object({ state: z.enum(CHECK_STATES), detail: CheckDetail.nullable() }),
});
const RevisionView = z.object({
  id: z.uuid(), number: z.number().int(), recipe: z.string(), digest: z.string(), createdAt: IsoTime,
  check: z.object({ state: z.enum(CHECK_STATES), jobId: z.string().nullable(), detail: CheckDetail.nullable() }),
});
const ReviewView = z.object({
  id: z.uuid(), revision: z.number().int(), digest: z.string(), reviewer: z.string(), verdict: z.enum(['approve', 'request_changes']),
  comment: z.string(), createdAt: IsoTime, dismissedAt: IsoTime.nullable(),
});
const TemplateDetail = z.object({
  id: z.uuid(), slug: z.string(), title: z.string(), description: z.string(), author: z.string(), extends: z.string().nullable(),
  createdAt: IsoTime, updatedAt: IsoTime, state: z.enum(STATES),
  current: z.object({ number: z.number().int(), digest: z.string() }).describe('the revision reviews and builds are about'),
  revisions: z.array(RevisionView), reviews: z.array(ReviewView),
});

export function libraryRoutes(svc: ReleaseServices, o: LibraryOptions = {}): RouteDef[] {
  const catalogue = catalogueReader(svc.recipesDir);
  return [
    route({ method: 'get', path: '/api/library', tag: 'library', query: Query,
      summary: 'The template library: official catalogue recipes and community templates (state, size, last check); q searches title, description and author',
      response: z.object({ items: z.array(z.discriminatedUnion('tier', [OfficialItem, CommunityItem])) }),
      handler: async (c, { query }) => {
        const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10);
        const official = query.tier === 'community' ? [] : await officialItems(svc, catalogue, words);
        const community = query.tier === 'official' ? [] : (await searchTemplates(svc, words)).map(communityItem);
        return c.json({ items: [...official, ...community] });
      } }),
    route({ method: 'get', path: '/api/library/:id', tag: 'library', params: Id, summary: 'One community template with every revision (recipe text, digest, check) and review',
      response: TemplateDetail,
      handler: async (c, { params }) => c.json(detail(await templateView(svc, params.id))) }),
    route({ method: 'post', path: '/api/library', tag: 'library', role: 'contributor', body: NewTemplate, status: 201,
      summary: 'Submit a template: validated like `herd lint` plus the template rules (400 lists each issue at line:col); its check build is queued',
      response: z.object({ template: TemplateDetail, check: JobView }),
      handler: async (c, { body, who }) => {
        const { view, check } = await submitTemplate(svc, who!, body, o);
        return c.json({ template: detail(view), check }, 201);
      } }),
    route({ method: 'post', path: '/api/library/:id/revisions', tag: 'library', role: 'contributor', params: Id, body: NewRevision, status: 201,
      summary: 'A new revision of one\'s own template: earlier approvals are dismissed and its check build is queued',
      response: z.object({ template: TemplateDetail, revision: z.number().int(), check: JobView }),
      handler: async (c, { params, body, who }) => {
        const { view, revision, check } = await reviseTemplate(svc, who!, params.id, body.recipe, o);
        return c.json({ template: detail(view), revision: revision.number, check }, 201);
      } }),
    route({ method: 'post', path: '/api/library/:id/checks', tag: 'library', role: 'contributor', params: Id, body: NewCheck, status: 202,
      summary: 'The author runs the current revision\'s failed check again on the same text, when it failed before the image was judged (a build error, a lost job); 409 for a size budget or boot verdict',
      response: z.object({ template: TemplateDetail, check: JobView }),
      handler: async (c, { params, body, who }) => {
        const { view, check } = await recheckTemplate(svc, who!, params.id, body.revision, o);
        return c.json({ template: detail(view), check }, 202);
      } }),
    route({ method: 'post', path: '/api/library/:id/reviews', tag: 'library', role: 'reviewer', params: Id, body: NewReview, status: 201,
      summary: 'Approve or request changes on the current revision (named by its digest) once its check passed; never one\'s own template',
      response: z.object({ template: TemplateDetail, review: ReviewView }),
      handler: async (c, { params, body, who }) => {
        const { view, review } = await reviewTemplate(svc, who!, params.id, body);
        return c.json({ template: detail(view), review: reviewView(view, review) }, 201);
      } }),
    route({ method: 'post', path: '/api/library/:id/builds', tag: 'library', role: 'contributor', params: Id, status: 202,
      summary: 'Build an approved template into images (a job: QA full, never published); 409 until it is approved',
      response: JobView,
      handler: async (c, { params }) => c.json(await buildTemplate(svc, params.id), 202) }),
  ];
}

async function officialItems(svc: ReleaseServices, read: ReturnType<typeof catalogueReader>, words: string[]): Promise<z.infer<typeof OfficialItem>[]> {
  let entries;
  try {
    entries = (await read()).filter((e) => e.recipe?.catalog && !e.problems.length);
  } catch (e) {
    throw new AppError('catalogue.unavailable', 'the recipe catalogue cannot be read', { kind: 'dependency', hint: 'the operator starts herd serve with --recipes DIR', cause: e });
  }
  const latest = await latestReleases(svc.store.db, entries.map((e) => e.recipe!.name));
  return entries
    .map((e) => {
      const l = latest.get(e.recipe!.name);
      return { tier: 'official' as const, id: e.id, title: e.recipe!.catalog!.title, summary: e.recipe!.catalog!.summary, extends: e.extends ?? null,
        latest: l ? { version: l.version, channel: l.channel, publishedAt: l.publishedAt, ...(l.qcow2Bytes !== undefined ? { qcow2Bytes: l.qcow2Bytes } : {}) } : null };
    })
    .filter((i) => words.every((w) => `${i.id} ${i.title} ${i.summary}`.toLowerCase().includes(w)));
}

function current(v: TemplateView) {
  return v.revisions.reduce((a, b) => (b.number > a.number ? b : a));
}

function communityItem(v: TemplateView): z.infer<typeof CommunityItem> {
  const r = current(v);
  const d = r.checkDetail as z.infer<typeof CheckDetail> | null;
  return {
    tier: 'community', id: v.template.id, slug: v.template.slug, title: v.template.title, description: v.template.description, author: v.template.author,
    extends: v.template.extends, state: v.state, revision: r.number, updatedAt: v.template.updatedAt,
    size: d?.size ?? null, lastCheck: { state: r.checkState, detail: d },
  };
}

function reviewView(v: TemplateView, r: TemplateView['reviews'][number]): z.infer<typeof ReviewView> {
  const rev = v.revisions.find((x) => x.id === r.revisionId)!;
  return { id: r.id, revision: rev.number, digest: rev.digest, reviewer: r.reviewer, verdict: r.verdict, comment: r.comment, createdAt: r.createdAt, dismissedAt: r.dismissedAt };
}

function detail(v: TemplateView): z.infer<typeof TemplateDetail> {
  const r = current(v);
  return {
    id: v.template.id, slug: v.template.slug, title: v.template.title, description: v.template.description, author: v.template.author,
    extends: v.template.extends, createdAt: v.template.createdAt, updatedAt: v.template.updatedAt, state: v.state,
    current: { number: r.number, digest: r.digest },
    revisions: v.revisions.map((x) => ({ id: x.id, number: x.number, recipe: x.recipeText, digest: x.digest, createdAt: x.createdAt,
      check: { state: x.checkState, jobId: x.checkJobId, detail: x.checkDetail as z.infer<typeof CheckDetail> | null } })),
    reviews: v.reviews.map((x) => reviewView(v, x)),
  };
}
