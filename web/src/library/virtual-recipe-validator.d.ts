/** Compiled at build time from the recipe JSON Schema (web/recipe-validator-plugin.ts); fits RecipeValidator. */
declare module 'virtual:recipe-validator' {
  const validate: {
    (data: unknown): boolean;
    errors?: { instancePath: string; schemaPath: string; keyword: string; params: Record<string, unknown>; message?: string }[] | null;
  };
  export default validate;
  export const schema: Record<string, unknown>;
}
