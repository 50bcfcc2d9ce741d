import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { executePlan } from './execute.ts';
import { StepCache } from './step-cache.ts';
import { stepId } from '../plan/hash.ts';
import type { Plan, PlanStep } from '../plan/plan-types.ts';
import { defineStage, type Stage } from '../stages/stage.ts';

/** Fake stages: a tree stage appends its option to a file, a file stage copies that file out. */
const runs: string[] = [];
const fakeStages: Record<string, Stage<any>> = {
  base: defineStage({ name: 'base', produces: 'tree', keepOutput: true, options: z.object({ v: z.string() }),
    async run(ctx, o) { runs.push(`base:${o.v}`); writeFileSync(join(ctx.tree, 'log'), `${o.v}\n`); } }),
  add: defineStage({ name: 'add', produces: 'tree', options: z.object({ v: z.string() }),
    async run(ctx, o) { runs.push(`add:${o.v}`); writeFileSync(join(ctx.tree, 'log'), readFileSync(join(ctx.tree, 'log'), 'utf8') + `${o.v}\n`); } }),
  out: defineStage({ name: 'out', produces: 'file', options: z.object({}),
    async run(ctx) { runs.push('out'); writeFileSync(join(ctx.outDir, 'result'), readFileSync(join(ctx.inputs[0]!.dir, 'tree/log'))); ctx.meta.file = 'result'; } }),
  boom: defineStage({ name: 'boom', produces: 'file', options: z.object({}),
    async run() { throw new Error('stage failed'); } }),
};

function chain(base: string, adds: string[], final = 'out'): Plan {
  const steps: PlanStep[] = [];
  const push = (stage: string, options: object) => {
    const inputs = steps.length ? [steps.at(-1)!.id] : [];
    steps.push({ id: stepId(stage, options, inputs), stage, title: stage, options, inputs });
  };
  push('base', { v: base });
  for (const a of adds) push('add', { v: a });
  push(final, {});
  return { schemaVersion: 1, name: 't', imageVersion: '1', recipeDigest: 'x', sourceDateEpoch: 0, steps, outputs: [], treeStep: steps.at(-2)!.id };
}

test('second run takes everything from the cache; a late change reruns only the late steps', async () => {
  const cache = new StepCache(tempDir('herd-exec-'));
  runs.length = 0;
  const p1 = chain('b', ['x', 'y']);
  const targets = [p1.steps.at(-1)!.id, p1.treeStep];
  const r1 = await executePlan(p1, { cache, targets, stages: fakeStages });
  assert.deepEqual(runs, ['base:b', 'add:x', 'add:y', 'out']);
  assert.equal(readFileSync(join(r1.artifacts.get(p1.steps.at(-1)!.id)!.dir, 'result'), 'utf8'), 'b\nx\ny\n');

  runs.length = 0;
  const r2 = await executePlan(p1, { cache, targets, stages: fakeStages });
  assert.deepEqual(runs, []);
  assert.deepEqual(r2.results.map((r) => r.status), ['cached', 'skipped', 'cached', 'cached']);

  runs.length = 0;
  const p2 = chain('b', ['x', 'z']);
  await executePlan(p2, { cache, targets: [p2.steps.at(-1)!.id, p2.treeStep], stages: fakeStages });
  assert.deepEqual(runs, ['add:x', 'add:z', 'out'], 'base came from the cache');
});

test('an intermediate tree built in this run moves on (not cached); a keepOutput tree is always kept', async () => {
  const cache = new StepCache(tempDir('herd-exec-'));
  const p = chain('k', ['m', 'n']);
  await executePlan(p, { cache, targets: [p.steps.at(-1)!.id, p.treeStep], stages: fakeStages });
  assert.ok(cache.get(p.steps[0]!.id), 'base kept');
  assert.equal(cache.get(p.steps[1]!.id), undefined, 'first add was moved into the second');
  assert.ok(cache.get(p.steps[2]!.id), 'tree step kept: it is a target');
});

test('a failing step leaves no cache entry and no temp folder', async () => {
  const root = tempDir('herd-exec-');
  const cache = new StepCache(root);
  const p = chain('f', ['g'], 'boom');
  await assert.rejects(executePlan(p, { cache, targets: [p.steps.at(-1)!.id], stages: fakeStages }), /stage failed/);
  assert.equal(cache.get(p.steps.at(-1)!.id), undefined);
  const leftovers = (await import('node:fs')).readdirSync(join(root, 'steps')).filter((f) => f.startsWith('.tmp-'));
  assert.deepEqual(leftovers, []);
  assert.ok(existsSync(join(root, 'steps', p.steps[0]!.id)), 'the steps before the failure stay cached');
});

test('prune removes steps unused for N days and abandoned temp folders, and keeps the rest', async () => {
  const { utimesSync, mkdirSync, readdirSync } = await import('node:fs');
  const root = tempDir('herd-prune-');
  const cache = new StepCache(root);
  const p = chain('p', ['q']);
  await executePlan(p, { cache, targets: [p.steps.at(-1)!.id, p.treeStep], stages: fakeStages });
  const old = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(join(root, 'steps', p.steps[0]!.id, 'meta.json'), old, old);
  mkdirSync(join(root, 'steps', '.tmp-dead-x'));
  utimesSync(join(root, 'steps', '.tmp-dead-x'), old, old);
  const { removed } = cache.prune(14);
  assert.deepEqual(removed.sort(), ['.tmp-dead-x', p.steps[0]!.id].sort());
  assert.equal(readdirSync(join(root, 'steps')).length, 2);
});

test('independent steps run side by side; the first failure stops the others and is the error thrown', async () => {
  const cache = new StepCache(tempDir('herd-exec-'));
  const started: string[] = [];
  const stages: Record<string, Stage<any>> = {
    ...fakeStages,
    sleeper: defineStage({ name: 'sleeper', produces: 'file', options: z.object({}), async run(ctx) { started.push('sleeper'); await ctx.run(['sleep', '30']); } }),
    late: defineStage({ name: 'late', produces: 'file', options: z.object({}), async run() { started.push('boom'); await new Promise((r) => setTimeout(r, 200)); throw new Error('late failure'); } }),
  };
  const base = { id: stepId('base', { v: 'c' }, []), stage: 'base', title: 'base', options: { v: 'c' }, inputs: [] };
  const sleeper = { id: 's1', stage: 'sleeper', title: 'sleeper', options: {}, inputs: [base.id] };
  const late = { id: 's2', stage: 'late', title: 'late', options: {}, inputs: [base.id] };
  const plan: Plan = { schemaVersion: 1, name: 't', imageVersion: '1', recipeDigest: 'x', sourceDateEpoch: 0, steps: [base, sleeper, late], outputs: [], treeStep: base.id };
  const ends: Array<[string, string]> = [];
  await assert.rejects(
    executePlan(plan, { cache, targets: ['s1', 's2'], stages, concurrency: 2, reporter: { onStepEnd: (s, r) => ends.push([s.id, r.status]) } }),
    /late failure/,
  );
  assert.deepEqual(started.sort(), ['boom', 'sleeper'], 'both started before either finished');
  assert.deepEqual(ends.filter(([id]) => id !== base.id).sort(), [['s1', 'failed'], ['s2', 'failed']], 'the sleeper was stopped, not waited for');
});
