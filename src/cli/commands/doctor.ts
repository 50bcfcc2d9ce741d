import type { Command } from 'commander';
import { checkHost, installMissing } from '../../engine/host-check.ts';

export function registerDoctor(program: Command): void {
  program.command('doctor')
    .description('check the host tools Herd needs (src/catalog/host-tools.json); --install installs the missing Debian packages')
    .option('--install', 'apt-get install what is missing')
    .action(async (o) => {
      let report = checkHost();
      if (o.install && report.missing.length) {
        await installMissing(report.missing, (l) => process.stdout.write(`  ${l}\n`));
        report = checkHost();
      }
      for (const t of report.items) {
        process.stdout.write(`${t.ok ? 'ok     ' : 'MISSING'} ${t.name.padEnd(48)} ${t.package.padEnd(24)} ${t.for.join(',')}\n`);
      }
      if (report.missing.length) {
        process.stdout.write(`\nmissing packages: ${report.missing.join(' ')}\nrun: herd doctor --install\n`);
        process.exitCode = 3;
      }
    });
}
