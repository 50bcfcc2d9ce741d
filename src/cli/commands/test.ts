import { Command, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../../errors.ts';
import { testImage, toTable, type QaReporter } from '../../qa/index.ts';
import { runCatalogueCommand } from './catalogue-run.ts';

interface TestFlags {
  out?: string;
  only: 'static' | 'boot' | 'all';
  firmware: 'bios' | 'uefi' | 'both';
  reboot: boolean;
  bootTimeout?: string;
  quiet?: boolean;
  all?: boolean;
  recipes?: string;
  json?: boolean;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('QA an image: static audit of the filesystem inside it, then boot tests under QEMU with a NoCloud seed; an OCI image (image.oci.tar) runs its suites\' container checks in podman')
    .argument('[image]', 'disk image (raw or qcow2) or OCI image (image.oci.tar); manifest.json next to it is used when present. With --all: the folder holding one <id>/ build folder per image (default out)')
    .option('-o, --out <dir>', 'folder for report.json, junit.xml and serial logs (default: <image folder>/qa)')
    .addOption(new Option('--only <part>', 'run only part of QA').choices(['static', 'boot', 'all']).default('all'))
    .addOption(new Option('--firmware <fw>', 'firmware to boot with').choices(['bios', 'uefi', 'both']).default('both'))
    .option('--no-reboot', 'skip the reboot check (B10), saving one boot')
    .option('--boot-timeout <seconds>', 'seconds to wait for SSH per boot')
    .option('-q, --quiet', 'print only the final table')
    .option('--all', 'test every image of the catalogue built into <folder>/<id>/ (marks each manifest tested, as build --test does), going on after a failure; prints a summary table')
    .option('--ids <ids>', 'with --all: only these catalogue ids, comma-separated (--only picks the QA part here)')
    .option('--recipes <dir>', 'with --all: the catalogue folder (default: the recipes/ folder of this herd)')
    .option('--json', 'with --all: JSON lines, the summary last')
    .action(async (image: string | undefined, flags: TestFlags & { ids?: string }) => {
      if (flags.all) {
        if (flags.only === 'boot') throw new AppError('cli.all_boot_only', '--only boot does not combine with --all', { hint: 'use --only static or --only all' });
        return runCatalogueCommand({ build: false, test: true }, image ?? 'out', {
          recipes: flags.recipes, only: flags.ids,
          json: flags.json, firmware: flags.firmware, qaOnly: flags.only === 'static' ? 'static' : 'all',
        });
      }
      if (image === undefined) throw new AppError('cli.no_image', 'name a disk image to test, or pass --all with the folder of catalogue builds', { hint: 'e.g. herd test out/base/disk.qcow2' });
      const out = resolve(flags.out ?? join(dirname(resolve(image)), 'qa'));
      const report = await testImage({
        image, outDir: out, only: flags.only, firmware: flags.firmware, reboot: flags.reboot,
        bootTimeoutSeconds: parseTimeout(flags.bootTimeout), reporter: flags.quiet ? undefined : progressReporter(),
      });
      process.stdout.write(toTable(report) + '\n');
      process.stdout.write(`reports: ${join(out, 'report.json')}, ${join(out, 'junit.xml')}\n`);
      if (!report.passed) {
        const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id);
        throw new AppError('qa.failed', `QA failed for ${image}: ${[...new Set(failed)].join(', ')}`, {
          hint: `findings per check are in ${join(out, 'report.json')}; serial console logs are in ${out}`,
        });
      }
    });
}

function parseTimeout(v?: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new AppError('cli.bad_timeout', `--boot-timeout must be a positive number of seconds, got "${v}"`);
  }
  return n;
}

function progressReporter(): QaReporter {
  const say = (s: string) => process.stderr.write(s + '\n');
  return {
    onPhaseStart: (phase) => say(`== ${phase}`),
    onProgress: (_phase, message) => say(`   ${message}`),
    onCheck: (r) => say(`   ${r.status.toUpperCase().padEnd(5)} ${r.id} ${r.title}`),
  };
}
