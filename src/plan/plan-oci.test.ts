import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipe } from '../recipe/load.ts';
import type { Resolved } from '../resolve/resolve.ts';
import { planBuild } from './plan-build.ts';
import { readPlanInputs } from '../engine/plan-inputs.ts';
import type { Plan, PlanStep } from './plan-types.ts';

const dir = tempDir('herd-plan-oci-');
const head = 'name: mini-oci\ndescription: d\ndistribution:\n  name: debian\n  release: "13"\npackages: [less]\n';
const resolved: Resolved = {
  schemaVersion: 2, codename: 'trixie', sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
  archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: ['trixie'], components: ['main'] }], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' },
  suites: [{ uri: 'http://deb.debian.org/debian', suite: 'trixie', date: 'Tue, 24 Nov 2026 02:12:15 UTC', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
};

function plan(text: string): Plan {
  const f = join(dir, `r${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  const loaded = loadRecipe(f);
  return planBuild(loaded, resolved, readPlanInputs(loaded));
}
const packagesOf = (s: PlanStep) => (s.options as { packages: string[] }).packages;

test('an oci-only recipe plans one container rootfs and no boot set, disk or cloud-init step', () => {
  const p = plan(head + 'outputs: [oci]\n');
  assert.deepEqual(p.steps.map((s) => s.stage), ['rootfs', 'container', 'footprint', 'seal', 'oci']);
  const rootfs = p.steps[0]!;
  assert.deepEqual(packagesOf(rootfs), ['ca-certificates', 'less', 'netbase']);
  for (const vmOnly of ['linux-image-cloud-amd64', 'cloud-init', 'openssh-server', 'udev', 'initramfs-tools', 'systemd-sysv']) {
    assert.ok(!packagesOf(rootfs).includes(vmOnly), vmOnly);
  }
  const out = p.outputs[0]!;
  assert.deepEqual({ format: out.format, file: out.file, platform: out.platform }, { format: 'oci', file: 'image.oci.tar', platform: 'oci' });
  assert.equal(out.step, p.steps.find((s) => s.stage === 'oci')!.id);
  assert.equal(p.treeStep, p.steps.find((s) => s.stage === 'seal')!.id);
  const o = p.steps.find((s) => s.stage === 'oci')!.options as { refName: string; labels: Record<string, string>; cmd: string[]; architecture: string };
  assert.equal(o.refName, 'herd-mini:2026.11.24.0');
  assert.equal(o.architecture, 'amd64');
  assert.deepEqual(o.cmd, ['/bin/bash']);
  assert.equal(o.labels['org.opencontainers.image.created'], '2026-11-24T02:12:15Z');
  assert.equal(o.labels['org.opencontainers.image.version'], '2026.11.24.0');
  assert.match(o.labels['org.opencontainers.image.revision']!, /^[0-9a-f]{64}$/);
});

test('disk formats and oci together: two rootfs chains, each output from its own tree', () => {
  const p = plan(head + 'outputs: [qcow2, oci]\n');
  const rootfs = p.steps.filter((s) => s.stage === 'rootfs');
  assert.equal(rootfs.length, 2);
  assert.ok(packagesOf(rootfs[0]!).includes('linux-image-cloud-amd64'));
  assert.ok(!packagesOf(rootfs[1]!).includes('linux-image-cloud-amd64'));
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const chainOf = (id: string): string[] => { const s = byId.get(id)!; return [s.stage, ...(s.inputs[0] ? chainOf(s.inputs[0]) : [])]; };
  assert.deepEqual(chainOf(p.outputs.find((o) => o.format === 'qcow2')!.step), ['convert', 'disk', 'seal', 'footprint', 'configure', 'rootfs']);
  assert.deepEqual(chainOf(p.outputs.find((o) => o.format === 'oci')!.step), ['oci', 'seal', 'footprint', 'container', 'rootfs']);
  // the manifest's package list is the disk's
  assert.equal(p.treeStep, byId.get(byId.get(byId.get(p.outputs[0]!.step)!.inputs[0]!)!.inputs[0]!)!.id);
  // adding oci leaves every disk step id as it was (the disk cache stays valid)
  const vmOnly = plan(head + 'outputs: [qcow2]\n');
  for (const s of vmOnly.steps) assert.ok(byId.has(s.id), `${s.stage} ${s.title}`);
});

test('a locked build pins the container rootfs only when it is the only one', () => {
  const lock = [{ name: 'less', version: '1', architecture: 'amd64', filename: 'pool/l/less.deb', size: 1, sha256: 'c'.repeat(64) }];
  const locked = (text: string) => {
    const f = join(dir, `l${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, text);
    const loaded = loadRecipe(f);
    return planBuild(loaded, { ...resolved, packages: lock }, readPlanInputs(loaded));
  };
  const only = locked(head + 'outputs: [oci]\n').steps.find((s) => s.stage === 'rootfs')!;
  assert.deepEqual((only.options as { locked?: unknown }).locked, lock);
  const both = locked(head + 'outputs: [raw, oci]\n').steps.filter((s) => s.stage === 'rootfs');
  assert.deepEqual((both[0]!.options as { locked?: unknown }).locked, lock);
  assert.equal((both[1]!.options as { locked?: unknown }).locked, undefined);
});
