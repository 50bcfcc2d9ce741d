import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distributions, releaseOf } from './distributions.ts';
import { networkStacks } from './network-stacks.ts';
import { loadRecipe } from '../recipe/load.ts';
import { planBuild } from '../plan/plan-build.ts';
import type { Resolved } from '../resolve/resolve.ts';

const dir = tempDir('herd-catalog-');
const recipe = (release: string) => {
  const f = join(dir, `r${release}.yaml`);
  writeFileSync(f, `name: mini\ndescription: d\ndistribution:\n  name: debian\n  release: "${release}"\noutputs: [raw]\n` +
    'footprint:\n  kernel-modules-exclude: [sound]\n');
  return f;
};
const resolved = (codename: string): Resolved => ({
  schemaVersion: 2, codename, sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
  archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: [codename], components: ['main'] }], keyring: '/k.gpg' },
  suites: [{ uri: 'http://deb.debian.org/debian', suite: codename, date: 'x', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
});

test('every release names a network stack the catalogue has, and a module folder', () => {
  for (const [name, d] of Object.entries(distributions)) {
    for (const [key, r] of Object.entries(d.releases)) {
      assert.equal(r.version, key, `${name} ${key}`);
      assert.ok(networkStacks[r.network], `${name} ${key}: unknown network stack ${r.network}`);
      assert.match(r.moduleDir, /^\/(usr\/)?lib\/modules$/);
    }
  }
});

test('Debian 13 gets systemd-networkd through cloud-init\'s networkd renderer, Debian 12 keeps ifupdown: from the table, through the plan', () => {
  const step = (release: string, stage: string) => {
    const plan = planBuild(loadRecipe(recipe(release)), resolved(releaseOf({ name: 'debian', release })!.codename), { fileSources: {} });
    return plan.steps.find((s) => s.stage === stage)!.options as Record<string, any>;
  };
  const trixie = step('13', 'rootfs');
  assert.ok(!trixie.packages.includes('netplan.io') && trixie.packages.includes('systemd-resolved'));
  assert.ok(!trixie.packages.includes('ifupdown') && !trixie.packages.includes('isc-dhcp-client'));
  assert.ok(trixie.dpkgFilters.includes('path-exclude=/usr/lib/modules/*/kernel/sound/*'));
  assert.ok(!trixie.dpkgFilters.some((f: string) => f.startsWith('path-exclude=/lib/modules/')));
  assert.deepEqual(step('13', 'configure').network.cloudInitRenderers, ['networkd']);
  assert.ok(step('13', 'configure').network.enable.includes('systemd-networkd.service'));

  const bookworm = step('12', 'rootfs');
  assert.ok(bookworm.packages.includes('ifupdown') && !bookworm.packages.includes('netplan.io'));
  assert.ok(bookworm.dpkgFilters.includes('path-exclude=/lib/modules/*/kernel/sound/*'));
  assert.deepEqual(step('12', 'configure').network.cloudInitRenderers, ['eni']);
  assert.deepEqual(step('12', 'seal').empty, ['/var/lib/dhcp']);
});

test('a release missing from the table is refused at lint, naming the supported ones', () => {
  assert.throws(() => loadRecipe(recipe('11')), (e: any) => /unknown debian release "11"/.test(e.message + JSON.stringify(e.issues ?? '')) &&
    /12 \(bookworm\), 13 \(trixie\)/.test(JSON.stringify(e)));
});

test('shared stages do not branch on release names or numbers (the table answers)', () => {
  const stages = join(import.meta.dirname, '../stages');
  for (const f of readdirSync(stages).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const text = readFileSync(join(stages, f), 'utf8');
    assert.doesNotMatch(text, /bookworm|trixie|forky|['"]1[0-9]['"]/, `src/stages/${f} names a release`);
  }
});

test('initramfs-modules: initramfs-tools files before the kernel is installed, only when the recipe sets them', () => {
  const rootfs = (extra: string) => {
    const f = join(dir, 'initramfs.yaml');
    writeFileSync(f, `name: mini\ndescription: d\ndistribution:\n  name: debian\n  release: "13"\noutputs: [raw]\n${extra}`);
    return planBuild(loadRecipe(f), resolved('trixie'), { fileSources: {} }).steps.find((s) => s.stage === 'rootfs')!.options as Record<string, any>;
  };
  assert.equal(rootfs('').earlyFiles, undefined, 'no setting: initramfs-tools keeps MODULES=most, and the step id is unchanged');
  const files = rootfs('footprint:\n  initramfs-modules: [virtio_scsi, virtio_blk]\n').earlyFiles as Array<{ path: string; content: string }>;
  assert.deepEqual(files.map((x) => x.path), ['/usr/share/initramfs-tools/conf.d/herd-modules', '/usr/share/initramfs-tools/modules.d/herd']);
  assert.match(files[0]!.content, /^MODULES=list$/m);
  assert.match(files[1]!.content, /^virtio_blk\nvirtio_scsi\n$/m);
});
