import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Plan, PlanStep } from '../plan/plan-types.ts';
import type { Stage, StageContext, StepArtifact } from '../stages/stage.ts';
import { stages } from '../stages/index.ts';
import { StepCache } from './step-cache.ts';
import type { Reporter, StepResult } from './reporter.ts';
import { runCommand } from '../backends/host/run-command.ts';
import { AppError } from '../errors.ts';

export interface ExecuteOptions {
  cache: StepCache;
  reporter?: Reporter;
  /** Steps that must exist when done (output steps and the final tree). */
  targets: string[];
  signal?: AbortSignal;
  /** Steps run at the same time when their inputs are ready (default: the number of cores, at most 4). */
  concurrency?: number;
  /** The stage registry (tests pass their own). */
  stages?: Record<string, Stage<any>>;
}

export interface ExecuteResult {
  artifacts: Map<string, StepArtifact>;
  results: StepResult[];
}

/** Runs the steps a build needs, taking everything else from the step cache; the first failure stops the rest. */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<ExecuteResult> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const registry: Record<string, Stage<any>> = opts.stages ?? stages;
  const cached = new Map<string, StepArtifact>();
  for (const s of plan.steps) {
    const hit = opts.cache.get(s.id);
    if (hit) cached.set(s.id, hit);
  }
  const toBuild = stepsToBuild(plan, opts.targets, cached);
  const artifacts = new Map<string, StepArtifact>();
  const results: StepResult[] = [];
  const builtNow = new Set<string>();

  for (const step of plan.steps) {
    if (toBuild.has(step.id)) continue;
    const hit = cached.get(step.id);
    if (hit) artifacts.set(step.id, hit);
    const r: StepResult = { id: step.id, stage: step.stage, title: step.title, status: hit ? 'cached' : 'skipped', seconds: 0 };
    results.push(r);
    opts.reporter?.onStepEnd?.(step, r);
  }

  // A tree built in this run and needed by no one else moves on instead of being copied (saves a copy per step).
  const movable = (id: string) => builtNow.has(id) && !opts.targets.includes(id) && !registry[byId.get(id)!.stage]?.keepOutput
    && [...toBuild].filter((o) => byId.get(o)!.inputs.includes(id)).length === 1;
  const runOne = async (step: PlanStep) => {
    const t0 = performance.now();
    opts.reporter?.onStepStart?.(step);
    try {
      const artifact = await runStep(step, plan, artifacts, { ...opts, signal: failed.signal }, movable);
      artifacts.set(step.id, artifact);
      builtNow.add(step.id);
      const r: StepResult = { id: step.id, stage: step.stage, title: step.title, status: 'built', seconds: (performance.now() - t0) / 1000 };
      results.push(r);
      opts.reporter?.onStepEnd?.(step, r);
    } catch (e) {
      const r: StepResult = { id: step.id, stage: step.stage, title: step.title, status: 'failed', seconds: (performance.now() - t0) / 1000, error: (e as Error).message };
      results.push(r);
      opts.reporter?.onStepEnd?.(step, r);
      throw e;
    }
  };

  // Steps whose inputs are ready run side by side, in plan order, up to `concurrency` at a time.
  const failed = new AbortController();
  opts.signal?.addEventListener('abort', () => failed.abort(opts.signal!.reason), { once: true });
  const waiting = plan.steps.filter((s) => toBuild.has(s.id));
  const running = new Map<string, Promise<void>>();
  let firstError: unknown;
  while (waiting.length || running.size) {
    while (!firstError && running.size < (opts.concurrency ?? Math.min(4, availableParallelism()))) {
      const i = waiting.findIndex((s) => s.inputs.every((id) => artifacts.has(id)));
      if (i < 0) break;
      const [step] = waiting.splice(i, 1);
      running.set(step!.id, runOne(step!).catch((e) => {
        firstError ??= e;
        failed.abort(e);
      }).finally(() => running.delete(step!.id)));
    }
    if (!running.size) break;
    await Promise.race(running.values());
  }
  if (firstError) throw firstError;
  failed.signal.throwIfAborted();
  const order = new Map(plan.steps.map((s, i) => [s.id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { artifacts, results };
}

/** Targets missing from the cache, and, recursively, the missing inputs of steps that must run. */
function stepsToBuild(plan: Plan, targets: string[], cached: Map<string, StepArtifact>): Set<string> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const need = new Set<string>();
  const visit = (id: string) => {
    if (need.has(id) || cached.has(id)) return;
    need.add(id);
    for (const input of byId.get(id)!.inputs) visit(input);
  };
  targets.forEach(visit);
  return need;
}

async function runStep(step: PlanStep, plan: Plan, artifacts: Map<string, StepArtifact>, opts: ExecuteOptions,
  movable: (id: string) => boolean): Promise<StepArtifact> {
  const stage = ((opts.stages ?? stages) as Record<string, Stage<any>>)[step.stage];
  if (!stage) throw new AppError('plan.unknown_stage', `plan names unknown stage "${step.stage}"`, { kind: 'internal' });
  const parsed = stage.options.safeParse(step.options);
  if (!parsed.success) throw new AppError('plan.bad_options', `options of stage ${step.stage} are invalid: ${parsed.error.message}`, { kind: 'internal' });
  const inputs = step.inputs.map((id) => artifacts.get(id)!);
  const outDir = opts.cache.begin(step.id);
  const tree = join(outDir, 'tree');
  const log = (line: string) => opts.reporter?.onStepLog?.(step, line);
  try {
    if (stage.produces === 'tree') await prepareTree(inputs[0], tree, opts.cache, movable, log);
    const ctx: StageContext = {
      step, inputs, outDir, tree, packageCache: opts.cache.packages, meta: {}, log,
      run: (argv, o) => { log(`$ ${argv.join(' ')}`); return runCommand(argv, { ...o, onLine: o?.onLine ?? log, signal: opts.signal }); },
    };
    await stage.run(ctx, parsed.data as never);
    return opts.cache.commit(step.id, outDir, { stage: step.stage, title: step.title, ...ctx.meta });
  } catch (e) {
    try {
      opts.cache.abort(outDir);
    } catch (cleanup) {
      log(`warning: ${(cleanup as Error).message}`);
    }
    throw e;
  }
}

async function prepareTree(input: StepArtifact | undefined, tree: string, cache: StepCache,
  movable: (id: string) => boolean, log: (l: string) => void): Promise<void> {
  if (!input) return void mkdirSync(tree);
  if (movable(input.id)) {
    const detached = cache.take(input.id);
    renameSync(join(detached, 'tree'), tree);
    rmSync(detached, { recursive: true, force: true });
    log(`moved tree of step ${input.id.slice(0, 12)}`);
    return;
  }
  log(`copying tree of step ${input.id.slice(0, 12)}`);
  await runCommand(['cp', '-a', '--reflink=auto', join(input.dir, 'tree'), tree]);
}
