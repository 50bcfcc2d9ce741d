import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasTools } from '../helpers/host.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import type { QaReport } from '../../src/qa/types.ts';

/**
 * Builds recipes/container-host.yaml (raw and qcow2 only, to keep CI short) through the CLI and runs
 * `herd test` on it: one BIOS boot without the reboot check. The container-host suite must run every
 * check and pass: Docker and AppArmor up, an image loaded from a local file runs under docker and
 * podman, confined by docker-default. Under TCG this takes several minutes (build) plus a few (boot).
 */
const repo = resolve(import.meta.dirname, '../..');
const canRun = process.getuid?.() === 0 &&
  hasTools('mmdebstrap', 'mke2fs', 'sfdisk', 'qemu-img', 'grub-mkimage', 'mcopy', 'qemu-system-x86_64', 'ssh', '/bin/busybox');
const skip = canRun ? false : 'needs root and the host tools, busybox-static included (run: npx herd doctor --install)';

const herd = (...args: string[]) =>
  spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', cwd: repo, maxBuffer: 64 * 1024 * 1024 });

test('container-host builds and passes its QA suite in a booted guest', { skip }, () => {
  const dir = tempDir('herd-it-containers-');
  const recipe = join(dir, 'container-host.yaml');
  writeFileSync(recipe, `extends: ${join(repo, 'recipes/container-host.yaml')}\noutputs: ["!raw.xz", "!vmdk", "!vhd", "!gce"]\n`);
  const out = join(dir, 'out');
  const build = herd('build', recipe, '--out', out);
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.qaSuites, ['base', 'container-host']);

  const qa = join(dir, 'qa');
  const run = () => herd('test', join(out, 'disk.qcow2'), '--out', qa, '--firmware', 'bios', '--no-reboot', '--quiet');
  let t = run();
  let report = JSON.parse(readFileSync(join(qa, 'report.json'), 'utf8')) as QaReport;
  // Under TCG a guest now and then hangs before SSH (seen in CI: 600 s with no answer, on a loaded machine): such a
  // boot is tried once more, saying so, rather than judged on checks it never ran. A second hang still fails.
  const b0 = report.results.find((r) => r.id === 'B0');
  const said = b0 ? [b0.reason ?? '', ...b0.findings.map((f) => f.message)].join('; ') : '';
  if (b0?.status === 'fail' && /waiting for SSH/.test(said)) {
    console.log(`container-host boot never reached SSH, booting once more: ${said}`);
    t = run();
    report = JSON.parse(readFileSync(join(qa, 'report.json'), 'utf8')) as QaReport;
  }
  const bad = report.results.filter((r) => r.status !== 'pass')
    .map((r) => `${r.id} ${r.status}: ${r.reason ?? r.findings.map((f) => f.message).join('; ')}`);
  assert.deepEqual(bad, [], t.stdout + t.stderr);
  assert.equal(t.status, 0);
  const ran = report.results.filter((r) => r.id.startsWith('C')).map((r) => `${r.id} ${r.status}`);
  assert.deepEqual(ran, ['C1 pass', 'C2 pass', 'C3 pass', 'C4 pass', 'C5 pass', 'C6 pass']);
});
