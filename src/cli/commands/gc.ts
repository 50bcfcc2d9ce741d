import type { Command } from 'commander';
import { collectGarbage, formatGcReport } from '../../release/gc.ts';
import { openServices } from '../../release/open-services.ts';
import { STALE_PENDING_MS } from '../../release/publish-release.ts';
import { parseNonNegative, type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd gc`: removes what interrupted publishes left (stale pending releases, their artifacts, partial uploads). */
export function registerGc(program: Command): void {
  withServiceOptions(program.command('gc'))
    .description('remove stale unpublished releases, their artifacts and partial uploads left by interrupted publishes')
    .option('--older-than <seconds>', 'only what no publish touched for this long', parseNonNegative('--older-than'), STALE_PENDING_MS / 1000)
    .option('--dry-run', 'report what would be removed, remove nothing')
    .option('--json', 'print the report as JSON')
    .action(async (o: RawServiceOptions & { olderThan: number; dryRun?: boolean; json?: boolean }) => {
      const svc = await openServices(serviceOptions(o));
      try {
        const report = await collectGarbage(svc, { olderThanMs: o.olderThan * 1000, dryRun: o.dryRun });
        process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatGcReport(report) + '\n');
      } finally {
        await svc.close();
      }
    });
}
