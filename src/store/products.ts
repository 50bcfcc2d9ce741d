import type { Kysely } from 'kysely';
import { AppError } from '../errors.ts';
import type { Schema } from './schema.ts';

export interface Product {
  id: string;
  title: string;
  description: string;
  recipePath: string | null;
  createdAt: string;
}

export const PRODUCT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function createProduct(db: Kysely<Schema>, p: Omit<Product, 'createdAt'>): Promise<Product> {
  if (!PRODUCT_ID.test(p.id)) {
    throw new AppError('product.bad_id', `invalid product id "${p.id}"`, { hint: 'use lower-case letters, digits and -, at most 63 characters' });
  }
  if (await getProduct(db, p.id)) {
    throw new AppError('product.exists', `product "${p.id}" already exists`, { kind: 'conflict', hint: 'pick another id, or use the existing product' });
  }
  const row = { id: p.id, title: p.title, description: p.description, recipe_path: p.recipePath, created_at: new Date().toISOString() };
  await db.insertInto('products').values(row).execute();
  return toProduct(row);
}

/** Creates the product on first use (e.g. `herd publish` of a new image name); returns it either way. */
export async function ensureProduct(db: Kysely<Schema>, id: string, title = id): Promise<Product> {
  const existing = await getProduct(db, id);
  if (existing) return existing;
  try {
    return await createProduct(db, { id, title, description: '', recipePath: null });
  } catch (e) {
    const raced = await getProduct(db, id);
    if (raced) return raced;
    throw e;
  }
}

export async function getProduct(db: Kysely<Schema>, id: string): Promise<Product | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toProduct(row);
}

export async function listProducts(db: Kysely<Schema>): Promise<Product[]> {
  const rows = await db.selectFrom('products').selectAll().orderBy('id').execute();
  return rows.map(toProduct);
}

function toProduct(r: Schema['products']): Product {
  return { id: r.id, title: r.title, description: r.description, recipePath: r.recipe_path, createdAt: r.created_at };
}
