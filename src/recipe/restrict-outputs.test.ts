import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadRecipe } from './load.ts';
import { parseFormats, restrictOutputs } from './restrict-outputs.ts';
import { planBuild } from '../plan/plan-build.ts';

const repo = join(import.meta.dirname, '../..');
const base = () => loadRecipe(join(repo, 'recipes/base.yaml'));

test('--formats: the named outputs only, the disk identity of the full recipe', () => {
  const full = base();
  const quick = restrictOutputs(full, parseFormats('qcow2, raw'), 'strict');
  assert.deepEqual(quick.recipe.outputs, ['raw', 'qcow2']);
  assert.equal(quick.imageDigest, full.imageDigest, 'same identity: the raw disk is the full build\'s');
  assert.deepEqual(full.recipe.outputs, ['raw', 'qcow2', 'raw.xz', 'vmdk', 'vhd', 'gce'], 'the loaded recipe is not changed');
});

test('--formats: unknown names and formats the recipe lacks are errors (strict); the catalogue falls back to the recipe\'s own', () => {
  assert.throws(() => parseFormats('qcow2,iso'), { code: 'cli.bad_formats' });
  assert.throws(() => parseFormats(' , '), { code: 'cli.bad_formats' });
  assert.throws(() => restrictOutputs(base(), ['oci'], 'strict'), (e: any) => e.code === 'cli.format_not_in_recipe' && /raw, qcow2/.test(e.hint));
  const oci = loadRecipe(join(repo, 'recipes/base-oci.yaml'));
  assert.deepEqual(restrictOutputs(oci, ['raw', 'qcow2'], 'lenient').recipe.outputs, ['oci']);
  assert.deepEqual(restrictOutputs(base(), ['raw', 'oci'], 'lenient').recipe.outputs, ['raw']);
});

test('a plan of a restricted recipe has no step for the dropped formats', () => {
  const resolved = {
    schemaVersion: 2, codename: 'trixie', sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
    archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: ['trixie'], components: ['main'] }], keyring: '/k.gpg' },
    suites: [{ uri: 'http://deb.debian.org/debian', suite: 'trixie', date: 'x', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
  } as const;
  const plan = planBuild(restrictOutputs(base(), ['raw', 'qcow2'], 'strict'), resolved as any, { fileSources: {} });
  assert.deepEqual(plan.outputs.map((o) => o.format), ['raw', 'qcow2']);
  assert.ok(!plan.steps.some((s) => s.stage === 'platform'), 'no platform variant (gce, azure) is made');
});
