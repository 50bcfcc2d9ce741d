import type { Command } from 'commander';
import { loadRecipe } from '../../recipe/load.ts';
import { formatError } from '../../errors.ts';

export function registerLint(program: Command): void {
  program.command('lint')
    .description('check recipes: every problem with file:line:column, field path and a hint')
    .argument('<recipes...>', 'recipe files')
    .action((files: string[]) => {
      let failed = 0;
      for (const f of files) {
        try {
          const { recipe, digest, chain } = loadRecipe(f);
          process.stdout.write(`ok   ${f}: ${recipe.name} (${chain.length > 1 ? `extends ${chain.slice(1).join(' → ')}, ` : ''}digest ${digest.slice(0, 12)})\n`);
        } catch (e) {
          failed++;
          process.stderr.write(`${formatError(e)}\n`);
        }
      }
      if (failed) process.exitCode = 1;
    });
}
