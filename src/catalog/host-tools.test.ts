import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostPackages, hostRequirements, packageFor } from './host-tools.ts';
import { checkHost } from '../engine/host-check.ts';

const ROOT = join(import.meta.dirname, '../..');

test('scripts/setup-host.sh installs exactly the catalogue\'s packages', () => {
  const printed = execFileSync('bash', [join(ROOT, 'scripts/setup-host.sh'), '--print-packages'], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(printed, hostPackages());
  // and it reads them from the catalogue, not from a list of its own
  assert.doesNotMatch(readFileSync(join(ROOT, 'scripts/setup-host.sh'), 'utf8'), /PKGS=\(/);
});

test('herd doctor checks every catalogue entry and names the packages of the missing ones', () => {
  const all = checkHost(() => true);
  assert.deepEqual(all.items.map((i) => i.name), hostRequirements.map((r) => r.name));
  assert.deepEqual(all.missing, []);
  const noOvmf = checkHost((r) => !r.name.startsWith('/usr/share/OVMF/') && r.name !== 'xorriso');
  assert.deepEqual(noOvmf.missing, ['ovmf', 'xorriso']);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

test('every program Herd runs is in the catalogue (so doctor checks it and setup-host installs it)', () => {
  const used = new Map<string, string>();
  // a program is the first word of an argv given to a runner, or of an array literal followed by an option
  const call = /(?:runCommand|ctx\.run|which|spawn|spawnSync)\(\s*\[?\s*'([^'/][^']*)'/g;
  // (not the arguments of a PodmanStore's podman(): those are podman's subcommands, and podman is found in its base argv)
  const argv = /(?<!\.podman\()\[\s*'([a-z][\w.+-]*)',\s*['`]-/g;
  const required = /requireTools\(\[([^\]]*)\]/g;
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of [...text.matchAll(call), ...text.matchAll(argv)]) used.set(m[1]!, file);
    for (const m of text.matchAll(required)) for (const t of m[1]!.matchAll(/'([^'/][^']*)'/g)) used.set(t[1]!, file);
  }
  // privilege escalation and package installation are how doctor --install runs, not what Herd needs
  for (const exempt of ['sudo', 'apt-get', 'sh']) used.delete(exempt);
  assert.ok(used.has('mmdebstrap') && used.has('xorriso') && used.has('qemu-system-x86_64'), 'the scan finds the calls it should');
  const missing = [...used].filter(([tool]) => !packageFor(tool)).map(([tool, file]) => `${tool} (${file})`);
  assert.deepEqual(missing, []);
});

test('OVMF firmware, xorriso and gpg are checked (they were missing from doctor once)', () => {
  for (const name of ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd', 'xorriso', 'gpg']) {
    assert.ok(hostRequirements.some((r) => r.name === name), name);
  }
});
