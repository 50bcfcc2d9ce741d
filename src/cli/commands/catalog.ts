import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../errors.ts';
import { DEFAULT_RECIPES_DIR } from '../../release/catalogue.ts';
import { readCatalogue } from '../../release/catalogue-entries.ts';
import { catalogueRow, formatCatalogueProblems, formatCatalogueTable, latestReleases } from '../../release/catalogue-list.ts';
import { openDatabase } from '../../store/database.ts';

interface CatalogOpts { recipes?: string; data?: string; database?: string; json?: boolean }

/** `herd catalog`: the recipes of the catalogue folder, one row each, with their last release when a store is named. */
export function registerCatalog(program: Command): void {
  program.command('catalog')
    .description('list the image catalogue: id, title, use cases, distribution, stack, size budget (and last release with --data/--database)')
    .option('--recipes <dir>', 'the catalogue folder (default: the recipes/ folder of this herd)')
    .option('--data <dir>', 'release service data directory: show each image\'s last release from DATA/herd.db')
    .option('--database <url>', 'release service database (postgres://… or a SQLite file): show each image\'s last release')
    .option('--json', 'print JSON')
    .action(async (o: CatalogOpts) => {
      const rows = (await readCatalogue(o.recipes ?? DEFAULT_RECIPES_DIR)).map(catalogueRow);
      const url = o.database ?? (o.data !== undefined ? join(resolve(o.data), 'herd.db') : undefined);
      if (url) {
        // a listing never creates a database: a mistyped --data must not leave an empty herd.db behind
        if (!/^postgres(ql)?:\/\//.test(url) && !existsSync(url)) {
          throw new AppError('catalog.no_database', `no release database at ${url}`, { hint: 'pass the --data DIR (or --database URL) of your herd serve' });
        }
        const store = await openDatabase(url);
        try {
          const latest = await latestReleases(store.db, rows.flatMap((r) => (r.product ? [r.product] : [])));
          for (const r of rows) if (r.product && latest.has(r.product)) r.latest = latest.get(r.product);
        } finally {
          await store.close();
        }
      }
      if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else process.stdout.write(formatCatalogueTable(rows, url !== undefined) + '\n');
      const bad = rows.filter((r) => r.problems.length);
      if (bad.length) {
        if (!o.json) process.stderr.write(formatCatalogueProblems(rows) + '\n');
        throw new AppError('catalog.invalid', `${bad.length} of ${rows.length} catalogue recipes ${bad.length === 1 ? 'is' : 'are'} not valid: ${bad.map((r) => r.id).join(', ')}`, {
          hint: 'fix the lines above (`herd lint FILE` shows one recipe\'s problems)',
        });
      }
    });
}
