import { createHash } from 'node:crypto';
import { writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { loadRecipe, type LoadedRecipe } from '../recipe/load.ts';
import { restrictOutputs } from '../recipe/restrict-outputs.ts';
import type { OutputFormat } from '../recipe/schema.ts';
import { resolveInputs, type Resolved } from '../resolve/resolve.ts';
import { planBuild, planDigest } from '../plan/plan-build.ts';
import { readPlanInputs } from './plan-inputs.ts';
import { withPackages } from '../resolve/lock-file.ts';
import type { Plan } from '../plan/plan-types.ts';
import { executePlan } from './execute.ts';
import { StepCache } from './step-cache.ts';
import { combineReporters, type Reporter, type StepResult } from './reporter.ts';
import { OutputDir } from './output-dir.ts';
import { buildManifest, type Manifest, type ManifestOutput } from './manifest.ts';
import { checkBudget, formatBudget, type BudgetLine } from './size-budget.ts';
import { formatMiB } from '../recipe/size.ts';
import { computeSizeReport, formatSizeReport, SIZE_REPORT_FILE } from './size-report.ts';
import { toolVersions } from './tool-versions.ts';
import { runCommand } from '../backends/host/run-command.ts';
import type { InstalledPackage } from '../backends/package-managers/package-manager.ts';
import { AppError } from '../errors.ts';
import { defaultCacheDir } from './cache-dir.ts';

export interface BuildOptions {
  recipePath: string;
  outDir: string;
  cacheDir?: string;
  reporter?: Reporter;
  lockFile?: string;
  imageVersion?: string;
  signal?: AbortSignal;
  /** Build only these of the recipe's outputs (--formats); strict for one recipe, lenient for the catalogue. */
  formats?: { only: OutputFormat[]; mode: 'strict' | 'lenient' };
}

export interface BuildResult {
  outDir: string;
  manifest: Manifest;
  budget: BudgetLine[];
  steps: StepResult[];
}

/** recipe → load → resolve → plan → execute → output folder (images, manifest.json, SHA256SUMS, build.log). */
export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const out = new OutputDir(opts.outDir);
  const logFile = createWriteStream(out.path('build.log'));
  const reporter = combineReporters(opts.reporter, logReporter(logFile));
  try {
    reporter.onPhase?.('load', opts.recipePath);
    const loaded = opts.formats ? restrictOutputs(loadRecipe(opts.recipePath), opts.formats.only, opts.formats.mode) : loadRecipe(opts.recipePath);
    reporter.onPhase?.('resolve', 'reading the archive state');
    const resolved = await resolveInputs(loaded, { lockFile: opts.lockFile, imageVersion: opts.imageVersion });
    const plan = planBuild(loaded, resolved, readPlanInputs(loaded));
    writeJson(out.path('resolved.json'), resolved);
    writeJson(out.path('plan.json'), plan);
    reporter.onPhase?.('execute', `${plan.steps.length} steps`);
    const cache = new StepCache(opts.cacheDir ?? defaultCacheDir());
    // the rootfs step too: its meta holds the installed files and digests that make resolved.json a lock
    const rootfsStep = plan.steps.find((s) => s.stage === 'rootfs')!.id;
    const targets = [...new Set([...plan.outputs.map((o) => o.step), plan.treeStep, rootfsStep])];
    const { artifacts, results } = await executePlan(plan, { cache, reporter, targets, signal: opts.signal });
    writeJson(out.path('resolved.json'), withPackages(resolved, artifacts.get(rootfsStep)?.meta.lock));
    const tree = artifacts.get(plan.treeStep)!;
    // measured on the sealed tree (after footprint and seal, before the disk): what every output holds
    const sizeReport = computeSizeReport(join(tree.dir, 'tree'));
    const sizeReportText = JSON.stringify(sizeReport, null, 2) + '\n';
    writeFileSync(out.path(SIZE_REPORT_FILE), sizeReportText);
    const sizeTable = formatSizeReport(sizeReport);
    logFile.write(`${sizeTable}\n`);
    reporter.onPhase?.('size-report', `${formatMiB(sizeReport.total.bytes)} in ${sizeReport.total.files} files; by directory and package in ${SIZE_REPORT_FILE}`);

    reporter.onPhase?.('outputs', opts.outDir);
    const outputs: ManifestOutput[] = [];
    for (const o of plan.outputs) {
      const a = artifacts.get(o.step)!;
      const src = join(a.dir, o.format === 'raw' ? 'disk.raw' : String(a.meta.file));
      await runCommand(['cp', '--reflink=auto', '--sparse=always', src, out.path(o.file)]);
      outputs.push({ format: o.format, file: o.file, platform: o.platform, size: Number(a.meta.sizeBytes),
        allocated: Number(a.meta.allocatedBytes), sha256: String(a.meta.sha256),
        ...(a.meta.uncompressedSha256 ? { uncompressedSha256: String(a.meta.uncompressedSha256) } : {}),
        ...(a.meta.ociManifestDigest ? { ociManifestDigest: String(a.meta.ociManifestDigest) } : {}) });
    }
    // an oci-only recipe has no disk step
    const diskStep = plan.steps.find((s) => s.stage === 'disk');
    const rawStep = diskStep ? artifacts.get(diskStep.id) : undefined;
    const manifest = buildManifest({
      loaded, resolved, plan, planDigest: planDigest(plan), packages: tree.meta.packages as InstalledPackage[],
      treeBytes: Number(tree.meta.treeBytes), rawAllocatedBytes: Number(rawStep?.meta.allocatedBytes ?? 0),
      outputs, steps: results, startedAt, seconds: (performance.now() - t0) / 1000, tools: await toolVersions(),
      sizeReport: { file: SIZE_REPORT_FILE, sha256: createHash('sha256').update(sizeReportText).digest('hex') },
    });
    writeJson(out.path('manifest.json'), manifest);
    writeFileSync(out.path('SHA256SUMS'), outputs.map((o) => `${o.sha256}  ${o.file}\n`).join(''));
    const budget = checkBudget(loaded.recipe['size-budget'], {
      qcow2: outputs.find((o) => o.format === 'qcow2')?.size, rawAllocated: rawStep ? manifest.sizes.rawAllocatedBytes : undefined,
      rootfs: manifest.sizes.treeBytes, oci: outputs.find((o) => o.format === 'oci')?.size,
    });
    writeFileSync(out.path('size-report.txt'), `${formatBudget(budget)}\n\n${sizeTable}\n`);
    reporter.onPhase?.('size', formatBudget(budget));
    const over = budget.filter((b) => !b.ok);
    if (over.length) {
      throw new AppError('size.budget_exceeded', `${over.map((b) => b.item).join(', ')} over the recipe's size budget:\n${formatBudget(budget)}`, {
        hint: 'trim the image (footprint, packages) or raise size-budget in the recipe',
      });
    }
    await closeStream(logFile);
    out.commit();
    return { outDir: out.final, manifest, budget, steps: results };
  } catch (e) {
    await closeStream(logFile);
    out.abort();
    throw e;
  }
}

/** Plan only: load, resolve and plan without building (what `herd plan` prints). */
export async function planImage(recipePath: string, lockFile?: string): Promise<{ loaded: LoadedRecipe; resolved: Resolved; plan: Plan }> {
  const loaded = loadRecipe(recipePath);
  const resolved = await resolveInputs(loaded, { lockFile });
  return { loaded, resolved, plan: planBuild(loaded, resolved, readPlanInputs(loaded)) };
}

function logReporter(stream: WriteStream): Reporter {
  const ts = () => new Date().toISOString();
  return {
    onPhase: (p, d) => stream.write(`${ts()} == ${p}${d ? `: ${d}` : ''}\n`),
    onStepStart: (s) => stream.write(`${ts()} >> ${s.stage} ${s.id} ${s.title}\n`),
    onStepLog: (s, l) => stream.write(`${ts()} [${s.stage}] ${l}\n`),
    onStepEnd: (s, r) => stream.write(`${ts()} << ${s.stage} ${r.status} ${r.seconds.toFixed(1)}s${r.error ? ` ${r.error}` : ''}\n`),
  };
}

function writeJson(path: string, value: unknown) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

function closeStream(s: WriteStream): Promise<void> {
  return new Promise((res) => s.end(res));
}
