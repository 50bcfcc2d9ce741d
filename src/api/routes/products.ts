import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { createProduct, getProduct, listProducts, PRODUCT_ID } from '../../store/products.ts';
import { CHANNELS } from '../../store/releases.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const ProductParams = z.object({ id: text({ max: 63 }).regex(PRODUCT_ID, 'must be a product id') });
const NewProduct = z.object({
  id: text({ max: 63 }).regex(PRODUCT_ID, 'lower-case letters, digits and -'),
  title: text({ min: 1, max: 200 }),
  description: text({ max: 5000, multiline: true }).default(''),
  recipePath: text({ min: 1, max: 4096 }).optional(),
});
const NewBuild = z.object({
  recipePath: text({ min: 1, max: 4096 }).optional(), channel: z.enum(CHANNELS).default('testing'),
  qa: z.enum(['full', 'static', 'none']).default('full').describe('QA before publication: full (boot tests), static (audit only), none'),
});

export function productRoutes(svc: ReleaseServices): RouteDef[] {
  const need = async (id: string) => {
    const p = await getProduct(svc.store.db, id);
    if (!p) throw new AppError('product.not_found', `no product "${id}"`, { kind: 'not_found', hint: 'list products with GET /api/products' });
    return p;
  };
  return [
    route({ method: 'get', path: '/api/products', tag: 'products', summary: 'List products (one per recipe)',
      handler: async (c) => c.json({ products: await listProducts(svc.store.db) }) }),
    route({ method: 'post', path: '/api/products', tag: 'products', summary: 'Register a recipe as a product', role: 'publisher', body: NewProduct,
      handler: async (c, { body }) => c.json(await createProduct(svc.store.db, { ...body, recipePath: body.recipePath ?? null }), 201) }),
    route({ method: 'get', path: '/api/products/:id', tag: 'products', summary: 'One product', params: ProductParams,
      handler: async (c, { params }) => c.json(await need(params.id)) }),
    route({ method: 'post', path: '/api/products/:id/builds', tag: 'products', summary: 'Start a build of the product recipe (a job)', role: 'contributor',
      params: ProductParams, body: NewBuild,
      handler: async (c, { params, body }) => {
        const p = await need(params.id);
        const recipePath = body.recipePath ?? p.recipePath;
        if (!recipePath) throw new AppError('product.no_recipe', `product "${p.id}" has no recipe`, { hint: 'pass recipePath, or register the product with one' });
        const job = await svc.queue.enqueue('build', { v: 1, recipePath, product: p.id, channel: body.channel, qa: body.qa });
        return c.json(job, 202);
      } }),
  ];
}
