import { tempDir } from '../helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasTools } from '../helpers/host.ts';

/**
 * Builds the catalogue's stack-python (recipes/stack-python.yaml) and runs `herd test` on it: the stack
 * suite's checks (L1 runtime version, L2 a hello-world per framework answering HTTP in the guest) must
 * have run and passed. One boot (BIOS, no reboot) keeps it to what CI can afford under emulation.
 */
const repo = resolve(import.meta.dirname, '../..');
const work = tempDir('herd-it-stack-python-');
const canRun = process.getuid?.() === 0 && hasTools('mmdebstrap', 'mke2fs', 'sfdisk', 'qemu-img', 'grub-mkimage', 'mcopy', 'qemu-system-x86_64');
// CI builds and boots the base image and one specialised image (container-host); the whole catalogue,
// this stack included, is the HERD_TEST_CATALOGUE=1 run (or `herd build --all --test`)
const skip = !canRun ? 'needs root, the host tools and QEMU (run: npx herd doctor --install)'
  : process.env.HERD_TEST_CATALOGUE !== '1' ? 'a catalogue run: set HERD_TEST_CATALOGUE=1 (CI builds base and container-host only)' : false;

function herd(...args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', cwd: repo, maxBuffer: 64 * 1024 * 1024 });
}

test('stack-python builds within its budget and its stack checks pass in the booted guest', { skip, timeout: 60 * 60 * 1000 }, () => {
  // the catalogue recipe itself, less the formats this test does not look at (qcow2 stays: the budget is on it)
  const recipe = join(work, 'stack-python.yaml');
  writeFileSync(recipe, `extends: ${join(repo, 'recipes/stack-python.yaml')}\noutputs: ["!raw.xz", "!vmdk", "!vhd", "!gce"]\n`);
  const out = join(work, 'out');
  const built = herd('build', recipe, '--out', out);
  assert.equal(built.status, 0, `build failed: ${built.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.qaSuites, ['base', 'stack']);
  assert.deepEqual(manifest.catalog.stack, { language: 'python', version: '3.13', frameworks: ['Django', 'Flask', 'Pyramid'] });
  const names = new Set(manifest.packages.map((p: { name: string }) => p.name));
  for (const p of ['python3-django', 'python3-flask', 'python3-pyramid']) assert.ok(names.has(p), p);

  const qa = join(work, 'qa');
  const tested = herd('test', join(out, 'disk.qcow2'), '--out', qa, '--firmware', 'bios', '--no-reboot', '--boot-timeout', '1200', '--quiet');
  const report = JSON.parse(readFileSync(join(qa, 'report.json'), 'utf8')) as { results: Array<{ id: string; status: string; findings: Array<{ message: string }> }> };
  const byId = new Map(report.results.map((r) => [r.id, r]));
  for (const id of ['L1', 'L2']) {
    assert.equal(byId.get(id)?.status, 'pass', `${id}: ${JSON.stringify(byId.get(id)?.findings)}`);
  }
  assert.equal(tested.status, 0, tested.stdout + tested.stderr);
  rmSync(work, { recursive: true, force: true });
});
