/**
 * Build benchmark: plain mmdebstrap of the same package list (the peer: the raw tool), then Herd's cold
 * build (empty step cache), then a warm rebuild after a late-step change (one file's content), all in one
 * run on this machine. Package downloads are shared by all three (same package cache), so the figures
 * compare work, not the network. Prints a table and writes bench/results/build-<time>.json.
 *
 *   npx tsx bench/build.ts [recipe]      (default recipes/base.yaml; needs root and `herd doctor`)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildImage, planImage } from '../src/engine/build-image.ts';
import { defaultCacheDir } from '../src/engine/cache-dir.ts';
import { runCommand } from '../src/backends/host/run-command.ts';
import { treeBytes } from '../src/backends/fs/tree-walk.ts';
import { formatMiB } from '../src/recipe/size.ts';

const recipe = resolve(process.argv[2] ?? 'recipes/base.yaml');
const mainCache = defaultCacheDir();
const work = mkdtempSync(join(mainCache, '.bench-'));
const packages = join(mainCache, 'packages');

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

async function plainMmdebstrap(): Promise<{ seconds: number; bytes: number }> {
  const { plan } = await planImage(recipe);
  const o = plan.steps[0]!.options as { codename: string; architecture: string; packages: string[]; sources: Array<{ uri: string; suites: string[]; components: string[] }>; keyring: string };
  const target = join(work, 'mmdebstrap-root');
  const sources = o.sources.flatMap((s) => s.suites.map((suite) => `deb ${s.uri} ${suite} ${s.components.join(' ')}`)).join('\n') + '\n';
  const cache = join(packages, `apt-${o.codename}-${o.architecture}`);
  const [, seconds] = await timed(() => runCommand(['mmdebstrap', '--mode=root', '--variant=minbase', `--include=${o.packages.join(',')}`,
    '--skip=essential/unlink', `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`, `--setup-hook=sync-in ${cache} /var/cache/apt/archives/`,
    o.codename, target, '-'], { input: sources }));
  const bytes = treeBytes(target);
  rmSync(target, { recursive: true, force: true });
  return { seconds, bytes };
}

async function main() {
  const recipeDir = join(work, 'recipe');
  mkdirSync(recipeDir);
  const marker = join(recipeDir, 'marker.txt');
  writeFileSync(marker, 'first\n');
  const benchRecipe = join(recipeDir, 'bench.yaml');
  writeFileSync(benchRecipe, `extends: ${recipe}\nfiles:\n  - path: /etc/herd-bench\n    source: marker.txt\n`);
  const cacheDir = join(work, 'cache');
  mkdirSync(cacheDir);
  // the step cache is fresh; downloaded packages are shared with the peer through the same folder
  rmSync(join(cacheDir, 'packages'), { force: true, recursive: true });
  await runCommand(['ln', '-s', packages, join(cacheDir, 'packages')]);

  console.error('peer: plain mmdebstrap of the same package list…');
  const peer = await plainMmdebstrap();
  console.error(`  ${peer.seconds.toFixed(1)} s`);
  console.error('herd: cold build (empty step cache)…');
  const [cold, coldS] = await timed(() => buildImage({ recipePath: benchRecipe, outDir: join(work, 'out-cold'), cacheDir }));
  console.error(`  ${coldS.toFixed(1)} s`);
  writeFileSync(marker, 'second\n');
  console.error('herd: warm rebuild after changing one file…');
  const [warm, warmS] = await timed(() => buildImage({ recipePath: benchRecipe, outDir: join(work, 'out-warm'), cacheDir }));
  console.error(`  ${warmS.toFixed(1)} s`);

  const rootfsS = cold.steps.find((s) => s.stage === 'rootfs')!.seconds;
  const qcow2 = cold.manifest.outputs.find((o) => o.format === 'qcow2');
  const rows = [
    ['plain mmdebstrap (peer)', `${peer.seconds.toFixed(1)} s`, `tree ${formatMiB(peer.bytes)}`],
    ['herd rootfs step', `${rootfsS.toFixed(1)} s`, `herd rootfs / mmdebstrap = ${(rootfsS / peer.seconds).toFixed(2)}`],
    ['herd cold build, all outputs', `${coldS.toFixed(1)} s`, `cold / mmdebstrap = ${(coldS / peer.seconds).toFixed(2)}`],
    ['herd warm rebuild (one file changed)', `${warmS.toFixed(1)} s`, `warm / cold = ${(warmS / coldS).toFixed(3)} (target ≤ 0.10)`],
    ['sealed tree', formatMiB(cold.manifest.sizes.treeBytes), `peer tree ${formatMiB(peer.bytes)}`],
  ];
  console.log('\n| measure | value | ratio |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\n| output | size | allocated |\n|---|---|---|');
  for (const o of cold.manifest.outputs) console.log(`| ${o.file} | ${formatMiB(o.size)} | ${formatMiB(o.allocated)} |`);
  if (qcow2) console.log(`\nqcow2 ${formatMiB(qcow2.size)} vs target 120 MiB (ratio ${(qcow2.size / (120 * 2 ** 20)).toFixed(2)})`);
  console.log('\nwarm rebuild steps:');
  for (const s of warm.steps.filter((s) => s.status === 'built')) console.log(`  ${s.title.padEnd(30)} ${s.seconds.toFixed(1)} s`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/build-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ recipe, peer, coldSeconds: coldS, warmSeconds: warmS, coldSteps: cold.steps, warmSteps: warm.steps, outputs: cold.manifest.outputs, treeBytes: cold.manifest.sizes.treeBytes }, null, 2));
  console.log(`\nresults: ${file}`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
