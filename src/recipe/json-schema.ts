import { z } from 'zod';
import { recipeSchema } from './schema.ts';

/** The recipe format as JSON Schema, generated from the same zod schema that validates recipes. */
export function recipeJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(recipeSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://herd.invalid/schemas/recipe-v1.json',
    title: 'Herd recipe',
    description: 'A text description of a cloud image that `herd build` turns into bootable disks.',
  };
}
