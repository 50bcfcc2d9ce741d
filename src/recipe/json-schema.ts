import { z } from 'zod';
import { recipeSchema } from './schema.ts';

/** A list item "!x": written in a recipe, it removes x from the list the recipe inherits (or the default). */
export const REMOVAL_DEF = {
  type: 'string',
  pattern: '^!.+',
  description: 'Removes an inherited item: "!x" drops x (files by path, users by name, packages by name); an error when nothing matches',
} as const;

/**
 * The recipe format as JSON Schema, generated from the same zod schema that validates merged recipes.
 * A recipe file may also write removals in any list, which the merged recipe no longer holds: every
 * list item here accepts them too, so an editor does not flag them.
 */
export function recipeJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(recipeSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  allowRemovals(schema);
  return {
    ...schema,
    $id: 'https://herd.invalid/schemas/recipe-v1.json',
    title: 'Herd recipe',
    description: 'A text description of a cloud image that `herd build` turns into bootable disks.',
    $defs: { ...(schema.$defs as object | undefined), removal: REMOVAL_DEF },
  };
}

function allowRemovals(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(allowRemovals);
  const n = node as Record<string, unknown>;
  for (const v of Object.values(n)) allowRemovals(v);
  if (n.type === 'array' && n.items && typeof n.items === 'object') n.items = { anyOf: [n.items, { $ref: '#/$defs/removal' }] };
}

/** The item schema of a list, without the removal alternative added above. */
export function listItem<T>(items: T | { anyOf: [T, unknown] } | undefined): T | undefined {
  const a = items as { anyOf?: unknown[] } | undefined;
  return a?.anyOf?.length === 2 && (a.anyOf[1] as { $ref?: string }).$ref === '#/$defs/removal' ? a.anyOf[0] as T : items as T | undefined;
}
