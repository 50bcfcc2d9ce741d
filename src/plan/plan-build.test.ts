import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipe } from '../recipe/load.ts';
import type { Resolved } from '../resolve/resolve.ts';
import { planBuild } from './plan-build.ts';
import { readPlanInputs } from '../engine/plan-inputs.ts';
import type { Plan } from './plan-types.ts';

const dir = tempDir('herd-plan-');
const base = 'name: mini\ndescription: d\ndistribution:\n  name: debian\n  release: "12"\noutputs: [raw, qcow2, gce]\n';
const resolved: Resolved = {
  schemaVersion: 2, codename: 'bookworm', sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
  archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: ['bookworm'], components: ['main'] }], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' },
  suites: [{ uri: 'http://deb.debian.org/debian', suite: 'bookworm', date: 'Tue, 24 Nov 2026 02:12:15 UTC', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
};

function plan(text: string, r: Resolved = resolved): Plan {
  const f = join(dir, `r${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  const loaded = loadRecipe(f);
  return planBuild(loaded, r, readPlanInputs(loaded));
}
const idOf = (p: Plan, stage: string, n = 0) => p.steps.filter((s) => s.stage === stage)[n]!.id;

test('the plan is a pure function of recipe and resolved inputs (golden file)', () => {
  const p = plan(base);
  assert.deepEqual(plan(base), p);
  const golden = join(import.meta.dirname, '../../test/fixtures/plan/mini.plan-ids.json');
  const ids = p.steps.map((s) => `${s.stage} ${s.title} ${s.id}`);
  if (process.env.HERD_UPDATE_GOLDEN) writeFileSync(golden, JSON.stringify(ids, null, 2) + '\n');
  assert.ok(existsSync(golden), `golden file missing: ${golden} (create it with HERD_UPDATE_GOLDEN=1)`);
  assert.deepEqual(ids, JSON.parse(readFileSync(golden, 'utf8')), 'step ids changed: if intended, rerun with HERD_UPDATE_GOLDEN=1');
});

test('steps form a chain rootfs → configure → footprint → seal → disk → convert, with a platform disk for gce', () => {
  const p = plan(base);
  assert.deepEqual(p.steps.map((s) => s.stage), ['rootfs', 'configure', 'footprint', 'seal', 'disk', 'convert', 'platform', 'disk', 'convert']);
  const gce = p.outputs.find((o) => o.format === 'gce')!;
  assert.equal(gce.platform, 'gce');
  const platform = p.steps.find((s) => s.stage === 'platform')!;
  assert.deepEqual((platform.options as { datasources: string[] }).datasources, ['GCE', 'None']);
  assert.equal(p.outputs.find((o) => o.format === 'raw')!.step, idOf(p, 'disk'));
});

test('the cloud variants: ec2 (raw.xz) and openstack (qcow2) each get a disk whose cloud-init probes that cloud', () => {
  const p = plan(base.replace('outputs: [raw, qcow2, gce]', 'outputs: [qcow2, ec2, openstack]'));
  const variants = p.steps.filter((s) => s.stage === 'platform').map((s) => [(s.options as { platform: string }).platform, (s.options as { datasources: string[] }).datasources]);
  assert.deepEqual(variants, [['ec2', ['Ec2', 'None']], ['openstack', ['ConfigDrive', 'OpenStack', 'None']]]);
  assert.deepEqual(p.outputs.map((o) => [o.format, o.file, o.platform]), [
    ['qcow2', 'disk.qcow2', 'generic'], ['ec2', 'disk.ec2.raw.xz', 'ec2'], ['openstack', 'disk.openstack.qcow2', 'openstack'],
  ]);
  // each variant's file is converted from its own disk, never from the generic one
  const diskOf = (format: string) => p.steps.find((s) => s.id === p.outputs.find((o) => o.format === format)!.step)!.inputs[0];
  assert.equal(new Set(['qcow2', 'ec2', 'openstack'].map(diskOf)).size, 3);
});

test('a late change (one file added) keeps the rootfs id and changes the later ones', () => {
  const a = plan(base);
  const b = plan(base + 'files:\n  - path: /etc/motd\n    content: hi\n');
  assert.equal(idOf(a, 'rootfs'), idOf(b, 'rootfs'));
  for (const stage of ['configure', 'footprint', 'seal', 'disk', 'convert']) assert.notEqual(idOf(a, stage), idOf(b, stage), stage);
});

test('packages and archive state change the rootfs id', () => {
  const a = plan(base);
  assert.notEqual(idOf(plan(base + 'packages: [curl]\n'), 'rootfs'), idOf(a, 'rootfs'));
  const moved = { ...resolved, suites: [{ ...resolved.suites[0]!, inReleaseSha256: 'b'.repeat(64) }] };
  assert.notEqual(idOf(plan(base, moved), 'rootfs'), idOf(a, 'rootfs'));
});

test('choosing other outputs does not change the disk', () => {
  const a = plan(base);
  const b = plan(base.replace('outputs: [raw, qcow2, gce]', 'outputs: [raw, vmdk]'));
  assert.equal(idOf(a, 'disk'), idOf(b, 'disk'));
  assert.ok(!b.steps.some((s) => s.stage === 'platform'));
});

test('footprint settings become dpkg path filters of the rootfs step', () => {
  const filters = (p: Plan) => (p.steps[0]!.options as { dpkgFilters: string[] }).dpkgFilters;
  assert.ok(filters(plan(base)).includes('path-exclude=/usr/share/doc/*'));
  const docs = filters(plan(base + 'footprint:\n  docs: true\n  locales: [de]\n'));
  assert.ok(!docs.includes('path-exclude=/usr/share/doc/*'));
  assert.ok(docs.includes('path-include=/usr/share/locale/de/*'));
});

test('a lock\'s package set is part of the rootfs id: a locked build never reuses a live rootfs, nor another lock\'s', () => {
  const canary = { name: 'herd-canary', version: '1.0', architecture: 'all', filename: 'pool/main/herd-canary_1.0_all.deb', size: 700, sha256: 'c'.repeat(64) };
  const live = plan(base);
  const locked = plan(base, { ...resolved, packages: [canary] });
  const other = plan(base, { ...resolved, packages: [{ ...canary, sha256: 'd'.repeat(64) }] });
  assert.notEqual(idOf(locked, 'rootfs'), idOf(live, 'rootfs'));
  assert.notEqual(idOf(other, 'rootfs'), idOf(locked, 'rootfs'));
  assert.deepEqual((locked.steps[0]!.options as { locked: unknown[] }).locked, [canary]);
});
