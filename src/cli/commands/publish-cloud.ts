import { join } from 'node:path';
import type { Command } from 'commander';
import { type CloudPublishReport, publishToCloud, retireFromCloud } from '../../release/cloud-publish.ts';
import { targetNamed } from '../../release/cloud-targets.ts';
import { openServices } from '../../release/open-services.ts';
import { TARGET_KINDS } from '../../release/target-kinds.ts';
import { type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** One line per region: what a run did, where it stopped and why. */
export function formatCloudReport(r: CloudPublishReport): string {
  const head = `${r.release.product} ${r.release.version} → ${r.target} (${r.platform}, ${r.format}): ${r.ran.length ? `ran ${r.ran.join(', ')}` : 'nothing left to run'}`;
  return [head, ...r.regions.map((x) => `  ${x.region.padEnd(16)} ${x.status.padEnd(9)} ${x.imageId ?? `${x.step ? `at ${x.step}: ` : ''}${x.error ?? ''}`}`)].join('\n') + '\n';
}

/** `herd publish-cloud RELEASE --target NAME` and `herd unpublish-cloud`: cloud publishing run here, resumable (issue #12). */
export function registerPublishCloud(program: Command): void {
  withServiceOptions(program.command('publish-cloud').argument('<release>', 'release id'))
    .description('upload a published release to a cloud target of the targets file, resuming where an earlier run stopped; ids go into the release and the feeds')
    .requiredOption('--target <name>', 'a target the targets file declares')
    .option('--json', 'print JSON')
    .action(async (release: string, o: RawServiceOptions & { target: string; json?: boolean }) => {
      const svc = await openServices(serviceOptions(o));
      const ac = new AbortController();
      const stop = () => ac.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      try {
        const target = targetNamed(svc.targetsFile!, TARGET_KINDS, o.target);
        const report = await publishToCloud(svc, release, target, { signal: ac.signal, log: o.json ? undefined : (l) => process.stderr.write(`${l}\n`), workDir: join(serviceOptions(o).dataDir, 'tmp') });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatCloudReport(report));
        // a region left out is a failure the operator sees; running the command again backfills it
        if (report.regions.some((r) => r.status !== 'published')) process.exitCode = 1;
      } finally {
        process.off('SIGINT', stop);
        await svc.close();
      }
    });
  withServiceOptions(program.command('unpublish-cloud').argument('<release>', 'release id'))
    .description("deprecate (EC2, GCE) or deactivate (Glance) a release's images on a cloud target")
    .requiredOption('--target <name>', 'a target the targets file declares')
    .action(async (release: string, o: RawServiceOptions & { target: string }) => {
      const svc = await openServices(serviceOptions(o));
      try {
        const r = await retireFromCloud(svc, release, targetNamed(svc.targetsFile!, TARGET_KINDS, o.target));
        process.stdout.write(`retired on ${o.target}: ${r.regions.join(', ') || 'no region'}\n`);
      } finally {
        await svc.close();
      }
    });
}
