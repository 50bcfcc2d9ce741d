import type { Command } from 'commander';
import { openServices } from '../../release/open-services.ts';
import { productUpdates } from '../../release/product-updates.ts';
import { type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd updates PRODUCT`: what the newest release would get from the archive now; exit 1 when a security update is pending (for cron and CI). */
export function registerUpdates(program: Command): void {
  withServiceOptions(program.command('updates').argument('<product>', 'product id (a catalogue recipe with published releases)'))
    .description("list the updates the archive has for the newest release's packages, security and first-boot ones marked")
    .option('--changelogs', "also read each new package's changelog: the entries since the installed version and the CVE ids they fix (downloads each new .deb)")
    .option('--json', 'print JSON')
    .action(async (product: string, o: RawServiceOptions & { json?: boolean; changelogs?: boolean }) => {
      const svc = await openServices(serviceOptions(o));
      try {
        const r = await productUpdates(svc, product, { changelogs: o.changelogs });
        if (o.json) {
          process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        } else {
          process.stdout.write(`${r.product} ${r.release.version} (${r.release.channel}) against ${r.suites.map((s) => `${s.suite} of ${s.date}`).join(', ')}\n`);
          if (r.updates.length === 0) process.stdout.write('no updates pending\n');
          const width = Math.max(0, ...r.updates.map((u) => u.name.length));
          for (const u of r.updates) {
            const marks = [u.security ? 'security' : '', u.firstBoot ? 'first-boot' : ''].filter(Boolean).join(',');
            process.stdout.write(`${u.name.padEnd(width)}  ${u.installed} -> ${u.candidate}  ${u.from.suite}${marks ? `  [${marks}]` : ''}\n`);
            if (u.changes?.cves.length) process.stdout.write(`${''.padEnd(width)}  fixes ${u.changes.cves.join(' ')}\n`);
            else if (u.changes?.missing) process.stdout.write(`${''.padEnd(width)}  (changelog: ${u.changes.missing})\n`);
          }
          if (r.updates.length) process.stdout.write(`${r.summary.total} pending: ${r.summary.security} security, ${r.summary.firstBoot} first-boot\n`);
        }
        if (r.summary.security > 0) process.exitCode = 1;
      } finally {
        await svc.close();
      }
    });
}
