import { recipeSchema, type Recipe } from './schema.ts';

let defaults: Recipe | undefined;

/**
 * The default value of a list field (e.g. `disk.boot` → [bios, uefi]), or undefined when it has none.
 * A "!x" removal in a recipe whose ancestors never set the list removes from this default.
 */
export function defaultListAt(path: string): unknown[] | undefined {
  defaults ??= recipeSchema.parse({ name: 'defaults', description: 'defaults', distribution: { name: 'debian', release: 'any' } });
  let v: unknown = defaults;
  for (const k of path.split('.')) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return Array.isArray(v) && v.length ? v : undefined;
}
