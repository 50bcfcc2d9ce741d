import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { checkReproducible } from './check-reproducible.ts';
import { stepId } from '../plan/hash.ts';
import type { Plan, PlanStep } from '../plan/plan-types.ts';
import { defineStage, type Stage } from '../stages/stage.ts';

/**
 * Fake disk and convert stages: the raw disk is the same in both builds; a format listed in `unstable`
 * gets a different byte in each build (what qemu-img's random VMDK CID did).
 */
function fakeStages(unstable: string[]): Record<string, Stage<any>> {
  let builds = 0;
  return {
    disk: defineStage({ name: 'disk', produces: 'file', options: z.object({}), async run(ctx) {
      builds++;
      writeFileSync(join(ctx.outDir, 'disk.raw'), 'raw disk bytes');
    } }),
    convert: defineStage({ name: 'convert', produces: 'file', options: z.object({ format: z.string(), file: z.string() }), async run(ctx, o) {
      const raw = readFileSync(join(ctx.inputs[0]!.dir, 'disk.raw'), 'utf8');
      writeFileSync(join(ctx.outDir, o.file), `${o.format}(${raw})` + (unstable.includes(o.format) ? ` build ${builds}` : ''));
      // what a stage records is not trusted: the check hashes the file itself
      ctx.meta.sha256 = 'same-in-every-build';
    } }),
  };
}

function plan(): Plan {
  const disk: PlanStep = { id: stepId('disk', {}, []), stage: 'disk', title: 'disk', options: {}, inputs: [] };
  const steps = [disk];
  const outputs: Plan['outputs'] = [{ format: 'raw', file: 'disk.raw', step: disk.id, platform: 'generic' }];
  for (const [format, file] of [['qcow2', 'disk.qcow2'], ['vmdk', 'disk.vmdk'], ['vhd', 'disk.vhd']] as const) {
    const options = { format, file };
    const s: PlanStep = { id: stepId('convert', options, [disk.id]), stage: 'convert', title: format, options, inputs: [disk.id] };
    steps.push(s);
    outputs.push({ format, file, step: s.id, platform: 'generic' });
  }
  return { schemaVersion: 1, name: 't', imageVersion: '1', recipeDigest: 'x', sourceDateEpoch: 0, steps, outputs, treeStep: disk.id };
}

test('a VMDK that differs between the two builds is reported, with a verdict for every output file', async () => {
  const r = await checkReproducible({ recipePath: 'unused.yaml', cacheDir: tempDir('herd-repro-'), plan: plan(), stages: fakeStages(['vmdk']) });
  assert.equal(r.identical, false);
  assert.deepEqual(r.files.map((f) => [f.file, f.identical]), [['disk.raw', true], ['disk.qcow2', true], ['disk.vmdk', false], ['disk.vhd', true]]);
  const vmdk = r.files.find((f) => f.format === 'vmdk')!;
  assert.notEqual(vmdk.first, vmdk.second);
  assert.match(vmdk.first, /^[0-9a-f]{64}$/);
  // the verdict is plain data: it goes out as one JSON event
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('identical outputs in both builds give an identical verdict, each built twice from an empty cache', async () => {
  const cacheDir = tempDir('herd-repro-');
  const r = await checkReproducible({ recipePath: 'unused.yaml', cacheDir, plan: plan(), stages: fakeStages([]) });
  assert.equal(r.identical, true);
  assert.equal(r.files.length, 4);
  assert.ok(r.files.every((f) => f.first === f.second));
  // a second check must rebuild too (nothing left in a shared step cache): otherwise an unstable format would pass
  const again = await checkReproducible({ recipePath: 'unused.yaml', cacheDir, plan: plan(), stages: fakeStages(['vhd']) });
  assert.deepEqual(again.files.filter((f) => !f.identical).map((f) => f.file), ['disk.vhd']);
});
