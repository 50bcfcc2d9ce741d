import type { Command } from 'commander';
import { StepCache } from '../../engine/step-cache.ts';
import { defaultCacheDir } from '../../engine/cache-dir.ts';
import { formatMiB } from '../../recipe/size.ts';
import { AppError } from '../../errors.ts';

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('the step cache (finished build steps, reused by later builds)');
  cache.command('prune')
    .description('remove steps no build used for a while, and folders left by killed builds')
    .option('--older-than <days>', 'remove steps unused for this many days', '14')
    .option('--cache <dir>', 'cache folder (default $HERD_CACHE or ~/.cache/herd)')
    .action((o) => {
      const days = Number(o.olderThan);
      if (!Number.isFinite(days) || days < 0) throw new AppError('cli.bad_days', `--older-than must be a number of days, got "${o.olderThan}"`, { hint: 'e.g. --older-than 7; 0 removes every step' });
      const { removed, bytesFreed } = new StepCache(o.cache ?? defaultCacheDir()).prune(days);
      process.stdout.write(`removed ${removed.length} step(s), freed ${formatMiB(bytesFreed)}\n`);
    });
}
