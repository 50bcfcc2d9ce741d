import { z } from 'zod';
import { recipeJsonSchema } from '../../recipe/json-schema.ts';
import { route, type RouteDef } from '../route-table.ts';

/**
 * The recipe format as JSON Schema, anonymous: the portal's recipe reference and its in-browser editor
 * validate against the very schema `herd lint` uses. It depends on nothing stored, so it is built once.
 */
export function recipeSchemaRoutes(): RouteDef[] {
  let schema: Record<string, unknown> | undefined;
  return [
    route({ method: 'get', path: '/api/recipe-schema', tag: 'catalog', summary: 'The recipe format as JSON Schema (the one `herd lint` validates with)',
      response: z.record(z.string(), z.unknown()),
      handler: (c) => c.json(schema ??= recipeJsonSchema(), 200, { 'cache-control': 'public, max-age=300' }) }),
  ];
}
