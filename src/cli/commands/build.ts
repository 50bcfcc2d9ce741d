import type { Command } from 'commander';
import { buildImage } from '../../engine/build-image.ts';
import { formatMiB } from '../../recipe/size.ts';
import { jsonReporter, plainReporter } from '../reporters/plain-reporter.ts';
import { ttyReporter } from '../reporters/tty-reporter.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { checkReproducible } from '../../engine/check-reproducible.ts';
import { qaGate } from '../../qa/qa-gate.ts';
import { toTable } from '../../qa/index.ts';
import { AppError } from '../../errors.ts';
import { needsUserNamespace, reexecInUserNamespace } from '../../backends/host/user-namespace.ts';
import { runCatalogueCommand } from './catalogue-run.ts';
import { parseFormats } from '../../recipe/restrict-outputs.ts';

async function runQa(outDir: string, firmware: 'bios' | 'uefi' | 'both') {
  process.stdout.write('\nQA: static audit and boot tests\n');
  const { report } = await qaGate(outDir, {
    firmware, reporter: { onCheck: (c) => process.stdout.write(`  ${c.status.toUpperCase().padEnd(5)} ${c.id} ${c.title}\n`) },
  });
  process.stdout.write(toTable(report) + '\n');
  if (!report.passed) {
    throw new AppError('qa.failed', `QA failed: ${outDir} is built but not marked tested`, { hint: `see ${outDir}/qa/report.json and the serial logs there` });
  }
  process.stdout.write(`QA passed: ${outDir} is marked tested (manifest.json qa.passed)\n`);
}

export function registerBuild(program: Command): void {
  program.command('build')
    .description('build the images a recipe describes')
    .argument('[recipe]', 'recipe file (YAML); omit with --all')
    .option('-o, --out <dir>', 'output folder (with --all: the folder that gets one <id>/ folder per image, default out)', 'out/<name>')
    .option('--all', 'build every recipe of the catalogue (--recipes), each into <out>/<id>/, going on after a failure; prints a summary table')
    .option('--only <ids>', 'with --all: only these catalogue ids, comma-separated')
    .option('--recipes <dir>', 'with --all: the catalogue folder (default: the recipes/ folder of this herd)')
    .option('--cache <dir>', 'step and package cache (default $HERD_CACHE or ~/.cache/herd)')
    .option('--lock <resolved.json>', 'install exactly the packages an earlier build installed (its resolved.json), with its archive state and SOURCE_DATE_EPOCH')
    .option('--image-version <version>', 'IMAGE_VERSION to stamp (default: the archive date)')
    .option('--json', 'JSON lines events on stdout')
    .option('-v, --verbose', 'print every log line (plain output)')
    .option('--check-reproducible', 'build every output twice from empty step caches and compare each file')
    .option('--formats <list>', "build only these of the recipe's outputs, comma-separated (e.g. raw,qcow2 for a quick build to test); the disk is the same as in a full build")
    .option('--test', 'run QA (static audit + boot tests) on the result; marks the output tested only when it passes')
    .option('--firmware <fw>', 'firmware for --test: bios, uefi or both', 'both')
    .action(async (recipe: string | undefined, o) => {
      if (!['bios', 'uefi', 'both'].includes(o.firmware)) {
        throw new AppError('cli.bad_firmware', `--firmware must be bios, uefi or both, got "${o.firmware}"`, { hint: 'e.g. --firmware bios' });
      }
      checkAllFlags(recipe, o);
      const formats = o.formats === undefined ? undefined : parseFormats(o.formats);
      if (formats && o.checkReproducible) {
        throw new AppError('cli.formats_unsupported', '--formats does not combine with --check-reproducible', { hint: 'the reproducibility check builds every output the recipe writes' });
      }
      // an unprivileged user builds as root of a user namespace (mmdebstrap, chroot and mke2fs -d need real ownership)
      if (needsUserNamespace()) return void (process.exitCode = await reexecInUserNamespace());
      if (o.all) {
        return runCatalogueCommand({ build: true, test: Boolean(o.test) }, o.out === 'out/<name>' ? 'out' : o.out, {
          recipes: o.recipes, only: o.only, json: o.json, verbose: o.verbose, cache: o.cache, imageVersion: o.imageVersion, firmware: o.firmware, formats,
        });
      }
      if (recipe === undefined) return; // checkAllFlags refused this
      const outDir = o.out === 'out/<name>' ? `out/${(await import('../../recipe/load.ts')).loadRecipe(recipe).recipe.name}` : o.out;
      const tty = !o.json && process.stdout.isTTY && !o.verbose ? ttyReporter(process.stdout) : undefined;
      const reporter: Reporter = o.json ? jsonReporter((s) => process.stdout.write(s))
        : tty ?? plainReporter((s) => process.stdout.write(s), o.verbose);
      const ac = new AbortController();
      const onSignal = () => ac.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        if (o.checkReproducible) {
          const r = await checkReproducible({ recipePath: recipe, outDir, cacheDir: o.cache, reporter, lockFile: o.lock, signal: ac.signal });
          tty?.stop();
          if (o.json) process.stdout.write(JSON.stringify({ event: 'reproducible', ...r }) + '\n');
          else {
            for (const f of r.files) {
              process.stdout.write(`  ${f.identical ? 'identical' : 'DIFFERENT'}  ${f.file.padEnd(18)} ${f.identical ? f.first : `${f.first} vs ${f.second}`}\n`);
            }
            process.stdout.write(`${r.identical ? 'reproducible' : 'NOT reproducible'}: ${r.files.filter((f) => f.identical).length}/${r.files.length} files bit-identical\n`);
          }
          if (!r.identical) process.exitCode = 4;
          return;
        }
        const r = await buildImage({
          recipePath: recipe, outDir, cacheDir: o.cache, reporter, lockFile: o.lock, imageVersion: o.imageVersion, signal: ac.signal,
          ...(formats ? { formats: { only: formats, mode: 'strict' as const } } : {}),
        });
        tty?.stop();
        if (o.json) return void process.stdout.write(JSON.stringify({ event: 'done', outDir: r.outDir, outputs: r.manifest.outputs }) + '\n');
        process.stdout.write(`\nbuilt ${r.manifest.name} ${r.manifest.version} in ${r.manifest.build.seconds}s → ${r.outDir}\n`);
        for (const out of r.manifest.outputs) process.stdout.write(`  ${out.file.padEnd(18)} ${formatMiB(out.size).padStart(11)}  sha256:${out.sha256.slice(0, 16)}…\n`);
        if (o.test) await runQa(r.outDir, o.firmware);
      } finally {
        tty?.stop();
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
    });
}

/** `herd build RECIPE` or `herd build --all`, never both; the catalogue-only flags need --all. */
function checkAllFlags(recipe: string | undefined, o: { all?: boolean; only?: string; recipes?: string; checkReproducible?: boolean; lock?: string }): void {
  if (o.all && recipe !== undefined) {
    throw new AppError('cli.all_and_recipe', `--all builds the whole catalogue; it takes no recipe (got ${recipe})`, { hint: 'drop the recipe, or drop --all (to build a few: --all --only a,b)' });
  }
  if (!o.all && recipe === undefined) throw new AppError('cli.no_recipe', 'name a recipe to build, or pass --all for the whole catalogue', { hint: 'e.g. herd build recipes/base.yaml' });
  if (!o.all && (o.only !== undefined || o.recipes !== undefined)) throw new AppError('cli.needs_all', '--only and --recipes go with --all', { hint: 'herd build --all --only base,base-debian12' });
  if (o.all && (o.checkReproducible || o.lock)) throw new AppError('cli.all_unsupported', '--all does not combine with --check-reproducible or --lock', { hint: 'check one recipe at a time' });
}
