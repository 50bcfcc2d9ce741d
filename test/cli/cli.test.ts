import { tempDir } from '../helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
function herd(...args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', cwd: repo, env: { ...process.env, HERD_CACHE: tempDir('herd-cli-cache-') } });
}

test('herd lint accepts the catalogue recipes', () => {
  const r = herd('lint', 'recipes/base.yaml', 'test/fixtures/recipes/small.yaml');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ok {3}recipes\/base\.yaml: base/m);
  assert.match(r.stdout, /small.*extends/);
});

test('herd lint reports every problem as file:line:col with a hint, exit 1', () => {
  const dir = tempDir('herd-cli-');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: ok\ndescription: d\ndistribution:\n  name: debian\n  release: "12"\ndisk:\n  sise: 2GiB\noutputs: [qcow3]\n');
  const r = herd('lint', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[recipe\.invalid\]: recipe has 2 problems/);
  assert.match(r.stderr, /bad\.yaml:7:3: disk\.sise: unknown key "sise"\n\s+hint: did you mean "size"\?/);
  assert.match(r.stderr, /bad\.yaml:8:11: outputs\[0\]: .*\n\s+hint: one of: raw, qcow2/);
});

test('herd schema prints a JSON Schema that knows every top-level key', () => {
  const r = herd('schema');
  assert.equal(r.status, 0);
  const s = JSON.parse(r.stdout);
  assert.equal(s.type, 'object');
  assert.equal(s.additionalProperties, false);
  for (const k of ['name', 'extends', 'distribution', 'archive', 'packages', 'footprint', 'users', 'ssh', 'files', 'services', 'cloud-init', 'disk', 'outputs', 'size-budget']) {
    assert.ok(k in s.properties, k);
  }
  assert.deepEqual(s.required.sort(), ['description', 'distribution', 'name']);
});

test('herd plan --lock prints steps with cache ids, offline, and the same ids every time', () => {
  const args = ['plan', 'recipes/base.yaml', '--lock', 'test/fixtures/plan/resolved.json'];
  const a = herd(...args);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /^base 2026\.11\.24\.0/);
  assert.match(a.stdout, /[0-9a-f]{12} {2}to run {2}rootfs/);
  assert.match(a.stdout, /output disk\.gce\.tar\.gz \(gce\)/);
  assert.equal(herd(...args).stdout, a.stdout);
  const json = JSON.parse(herd(...args, '--json').stdout);
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.steps[0].stage, 'rootfs');
});

test('a missing recipe and a bad flag get clear errors', () => {
  const r = herd('build', 'nope.yaml');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /recipe\.not_found.*nope\.yaml/);
  const f = herd('build', 'recipes/base.yaml', '--bogus');
  assert.equal(f.status, 2);
  assert.match(f.stderr, /unknown option '--bogus'/);
});

test('docs/recipe-reference.md is what `herd schema --markdown` generates', () => {
  const r = herd('schema', '--markdown');
  assert.equal(r.status, 0);
  const committed = readFileSync(join(repo, 'docs/recipe-reference.md'), 'utf8');
  assert.equal(committed, r.stdout, 'regenerate: npx herd schema --markdown > docs/recipe-reference.md');
  assert.match(r.stdout, /\| `footprint\.kernel-modules-exclude` \|/);
});

test('herd updates names what is missing: a product with no published release', () => {
  const r = herd('updates', 'base', '--data', tempDir('herd-cli-updates-'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /error\[updates\.no_release\]: product base has no published release to compare/);
  assert.match(r.stderr, /hint: publish one first/);
});
