import type { Command } from 'commander';
import { recipeJsonSchema } from '../../recipe/json-schema.ts';
import { recipeReferenceMarkdown } from '../../recipe/reference-doc.ts';

export function registerSchema(program: Command): void {
  program.command('schema')
    .description('print the JSON Schema of the recipe format (for editors: yaml-language-server)')
    .option('--markdown', 'print the recipe reference (docs/recipe-reference.md) instead')
    .action((o) => {
      if (o.markdown) return void process.stdout.write(recipeReferenceMarkdown());
      process.stdout.write(JSON.stringify(recipeJsonSchema(), null, 2) + '\n');
    });
}
