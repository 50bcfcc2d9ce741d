import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { type ProductUpdates, productUpdates } from '../../release/product-updates.ts';
import { type RespinOutcome, respinProduct } from '../../release/respin.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { RECIPE_ID, resolveCatalogueRecipe } from '../../release/catalogue.ts';
import { createProduct, getProduct, listProducts, type Product, PRODUCT_ID } from '../../store/products.ts';
import { CHANNELS } from '../../store/releases.ts';
import { IsoTime, JobView } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const ProductParams = z.object({ id: text({ max: 63 }).regex(PRODUCT_ID, 'must be a product id') });
const NewProduct = z.strictObject({
  id: text({ max: 63 }).regex(PRODUCT_ID, 'lower-case letters, digits and -'),
  title: text({ min: 1, max: 200 }),
  description: text({ max: 5000, multiline: true }).default(''),
  recipe: text({ max: 63 }).regex(RECIPE_ID, 'a catalogue recipe id').optional()
    .describe('id of a recipe in the server\'s catalogue (recipes/<id>.yaml); default: the product id'),
});
const NewBuild = z.strictObject({
  channel: z.enum(CHANNELS).default('testing'),
  qa: z.enum(['full', 'static', 'none']).default('full')
    .describe('QA before publication: full (boot tests), static (audit only), none (the release is marked untested and never reaches stable)'),
  publish: z.boolean().default(true).describe('false: build and test only; publish later with POST /api/publish {"build": "<job id>"}'),
});

/** The product as the API shows it: its catalogue recipe id (stored where a recipe path once was). */
const view = (p: Product) => ({ id: p.id, title: p.title, description: p.description, recipe: p.recipePath, createdAt: p.createdAt });
const ProductView = z.object({
  id: z.string(), title: z.string(), description: z.string(),
  recipe: z.string().nullable().describe('the catalogue recipe id the product builds (null for a product made by `herd publish`)'),
  createdAt: IsoTime,
});

const UpdatesView = z.object({
  product: z.string(),
  recipe: z.string().describe('the catalogue recipe the product builds'),
  release: z.object({ id: z.uuid(), version: z.string(), channel: z.string(), createdAt: IsoTime }).describe('the newest published, unrevoked release, whose package set is compared'),
  suites: z.array(z.object({ uri: z.string(), suite: z.string(), date: z.string().describe("the suite's signed Release date") })),
  updates: z.array(z.object({
    name: z.string(), arch: z.string(), installed: z.string(), candidate: z.string(),
    from: z.object({ uri: z.string(), suite: z.string(), filename: z.string().optional(), size: z.number().int().optional(), sha256: z.string().optional() }),
    security: z.boolean(), firstBoot: z.boolean().describe('runs at first boot (kernel, init, libc, TLS, cloud-init, SSH): a reason to respin at once'),
  })),
  summary: z.object({ total: z.number().int(), security: z.number().int(), firstBoot: z.number().int() }),
  checkedAt: IsoTime,
});

const RespinRequest = z.strictObject({
  force: z.boolean().default(false).describe('queue a respin even when the policy says it is not due'),
  dryRun: z.boolean().default(false).describe('decide and say why; queue nothing'),
});
const RespinView = z.object({
  release: z.object({ id: z.uuid(), version: z.string(), channel: z.string(), createdAt: IsoTime }).describe('the release compared'),
  decision: z.object({
    due: z.boolean(), reason: z.enum(['security', 'first-boot', 'scheduled', 'base']).optional(), why: z.string(),
    updates: z.array(z.string()).describe('names of the updates that make it due'), nextSlot: IsoTime.optional(),
  }),
  job: JobView.optional().describe('the build job this request queued'),
  inFlight: JobView.optional().describe('a build of the product already queued or running: nothing was queued'),
  failedRecently: JobView.optional().describe('the last respin build failed less than 6 hours ago: nothing was queued (force queues one)'),
  dependents: z.array(z.object({
    product: z.string(), reason: z.literal('base'), why: z.string(), job: JobView.optional(), inFlight: JobView.optional(),
  })).describe('products whose recipes extend this one, respun with it (a dry run: those that would be)'),
});
const respinView = (r: RespinOutcome) => ({
  release: r.updates.release,
  decision: { due: r.decision.due, reason: r.decision.reason, why: r.decision.why, updates: r.decision.updates.map((u) => u.name), nextSlot: r.decision.nextSlot?.toISOString() },
  job: r.job, inFlight: r.inFlight, failedRecently: r.failedRecently, dependents: r.dependents ?? [],
});

/** How long one product's answer is reused: reading a Debian suite's indexes is tens of MB, and archives move a few times a day. */
export const UPDATES_TTL_MS = 10 * 60_000;

/**
 * Pending updates per product, computed at most once per UPDATES_TTL_MS (requests at the same time share one
 * computation; a failure is not kept), so no client can make the server fetch archive indexes in a loop.
 * Bounded by the number of products.
 */
function updatesCache(svc: ReleaseServices, compute = productUpdates) {
  const entries = new Map<string, { at: number; value: Promise<ProductUpdates & { checkedAt: string }> }>();
  return (productId: string) => {
    const hit = entries.get(productId);
    if (hit && Date.now() - hit.at < UPDATES_TTL_MS) return hit.value;
    const mine = { at: Date.now(), value: compute(svc, productId).then((u) => ({ ...u, checkedAt: new Date().toISOString() })) };
    entries.set(productId, mine);
    mine.value.catch(() => { if (entries.get(productId) === mine) entries.delete(productId); });
    return mine.value;
  };
}

export function productRoutes(svc: ReleaseServices): RouteDef[] {
  const updates = updatesCache(svc);
  const need = async (id: string) => {
    const p = await getProduct(svc.store.db, id);
    if (!p) throw new AppError('product.not_found', `no product "${id}"`, { kind: 'not_found', hint: 'list products with GET /api/products' });
    return p;
  };
  return [
    route({ method: 'get', path: '/api/products', tag: 'products', summary: 'List products (one per catalogue recipe)', response: z.object({ products: z.array(ProductView) }),
      handler: async (c) => c.json({ products: (await listProducts(svc.store.db)).map(view) }) }),
    route({ method: 'get', path: '/api/products/:id/updates', tag: 'products', role: 'viewer', params: ProductParams, response: UpdatesView,
      summary: "Updates the archive offers now for the newest release's packages, security and first-boot ones marked (cached for 10 minutes)",
      handler: async (c, { params }) => {
        await need(params.id);
        return c.json(await updates(params.id));
      } }),
    route({ method: 'post', path: '/api/products/:id/respin', tag: 'products', role: 'publisher', params: ProductParams, body: RespinRequest, response: RespinView,
      summary: "Apply the product's respin policy now (herd respin): when due, queue its build and those of the products that extend it",
      handler: async (c, { params, body }) => {
        await need(params.id);
        return c.json(respinView(await respinProduct(svc, params.id, { force: body.force, dryRun: body.dryRun })));
      } }),
    route({ method: 'post', path: '/api/products', tag: 'products', summary: 'Register a catalogue recipe as a product', role: 'publisher', body: NewProduct, response: ProductView, status: 201,
      handler: async (c, { body }) => {
        const recipe = body.recipe ?? body.id;
        if (await getProduct(svc.store.db, body.id)) {
          throw new AppError('product.exists', `product "${body.id}" already exists`, { kind: 'conflict', hint: 'pick another id, or use the existing product' });
        }
        await resolveCatalogueRecipe(svc.recipesDir, recipe);
        return c.json(view(await createProduct(svc.store.db, { id: body.id, title: body.title, description: body.description, recipePath: recipe })), 201);
      } }),
    route({ method: 'get', path: '/api/products/:id', tag: 'products', summary: 'One product', params: ProductParams, response: ProductView,
      handler: async (c, { params }) => c.json(view(await need(params.id))) }),
    route({ method: 'post', path: '/api/products/:id/builds', tag: 'products', summary: 'Build the product\'s catalogue recipe (a job); takes no path', role: 'contributor',
      params: ProductParams, body: NewBuild, response: JobView, status: 202,
      handler: async (c, { params, body }) => {
        const p = await need(params.id);
        const recipe = p.recipePath ?? p.id;
        await resolveCatalogueRecipe(svc.recipesDir, recipe);
        const job = await svc.queue.enqueue('build', { v: 2, recipe, product: p.id, channel: body.channel, qa: body.qa, publish: body.publish });
        return c.json(job, 202);
      } }),
  ];
}
