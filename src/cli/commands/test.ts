import { Command, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../../errors.ts';
import { testImage, toTable, type QaReporter } from '../../qa/index.ts';

interface TestFlags {
  out?: string;
  only: 'static' | 'boot' | 'all';
  firmware: 'bios' | 'uefi' | 'both';
  reboot: boolean;
  bootTimeout?: string;
  quiet?: boolean;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('QA an image: static audit of the filesystem inside it, then boot tests under QEMU with a NoCloud seed')
    .argument('<image>', 'disk image (raw or qcow2); manifest.json next to it is used when present')
    .option('-o, --out <dir>', 'folder for report.json, junit.xml and serial logs (default: <image folder>/qa)')
    .addOption(new Option('--only <part>', 'run only part of QA').choices(['static', 'boot', 'all']).default('all'))
    .addOption(new Option('--firmware <fw>', 'firmware to boot with').choices(['bios', 'uefi', 'both']).default('both'))
    .option('--no-reboot', 'skip the reboot check (B10), saving one boot')
    .option('--boot-timeout <seconds>', 'seconds to wait for SSH per boot')
    .option('-q, --quiet', 'print only the final table')
    .action(async (image: string, flags: TestFlags) => {
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
