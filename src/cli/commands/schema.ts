import type { Command } from 'commander';
import { recipeJsonSchema } from '../../recipe/json-schema.ts';

export function registerSchema(program: Command): void {
  program.command('schema')
    .description('print the JSON Schema of the recipe format (for editors: yaml-language-server)')
    .action(() => {
      process.stdout.write(JSON.stringify(recipeJsonSchema(), null, 2) + '\n');
    });
}
