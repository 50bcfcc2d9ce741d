import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import { exitCodeFor, formatError } from '../errors.ts';
import { storeErrorFor } from '../store/store-errors.ts';

/** The one place where errors become exit codes. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('herd')
    .description('Herd: a cloud image factory. Recipes in, tested cloud images out.')
    .exitOverride()
    .showHelpAfterError('(run `herd --help` for usage)');
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? 0 : 2;
    const e = storeErrorFor(caught) ?? caught;
    process.stderr.write(formatError(e) + '\n');
    return exitCodeFor(e);
  }
}

process.exitCode = await main(process.argv);
