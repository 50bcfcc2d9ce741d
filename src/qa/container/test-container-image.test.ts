import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateIdentity, loadedRef } from './o01-image-identity.ts';
import { testContainerImage } from './test-container-image.ts';
import type { PodmanStore } from './podman-store.ts';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nIMAGE_ID=stack-node-oci\nIMAGE_VERSION=2026.12.01.0\n';
const DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('O1 container image identity', () => {
  const base = {
    load: { code: 0, output: 'Getting image source signatures\nLoaded image: localhost/herd-stack-node:2026.12.01.0\n' },
    ref: 'localhost/herd-stack-node:2026.12.01.0', digest: DIGEST, expectedDigest: DIGEST,
    start: { code: 0, output: 'c0ffee\n' }, osRelease: OS_RELEASE, expected: { name: 'stack-node-oci', version: '2026.12.01.0' },
  };
  it('reads the reference podman load printed, in both of its spellings', () => {
    assert.equal(loadedRef(base.load.output), 'localhost/herd-stack-node:2026.12.01.0');
    assert.equal(loadedRef('Loaded image(s): localhost/a:1\n'), 'localhost/a:1');
    assert.equal(loadedRef('Error: payload does not match any of the supported image formats'), undefined);
  });
  it('passes an image that loads, starts and names itself', () => assert.deepEqual(evaluateIdentity(base), []));
  it('fails a load error, a container that cannot start, another digest, another name or version', () => {
    assert.match(evaluateIdentity({ ...base, load: { code: 125, output: 'Error: open x: no such file' }, ref: undefined })[0]!.message, /podman load failed \(exit 125\).*no such file/);
    assert.match(evaluateIdentity({ ...base, start: { code: 127, output: 'exec: "sleep": not found' }, osRelease: undefined })[0]!.message, /could start.*"sleep": not found/);
    assert.match(evaluateIdentity({ ...base, digest: 'sha256:' + 'cd'.repeat(32) })[0]!.message, /podman loaded manifest sha256:cdcd.*build recorded sha256:abab/);
    const named = evaluateIdentity({ ...base, osRelease: OS_RELEASE.replace('stack-node-oci', 'base-oci').replace('2026.12.01.0', '2026.11.01.0') });
    assert.deepEqual(named.map((f) => f.message), ['IMAGE_ID is base-oci, expected stack-node-oci', 'IMAGE_VERSION is 2026.11.01.0, expected 2026.12.01.0']);
    assert.match(evaluateIdentity({ ...base, osRelease: 'ID=debian\n' })[0]!.message, /IMAGE_ID is missing/);
  });
});

/**
 * A podman stand-in: load/inspect/run answer as podman does, and `exec … bash -c SCRIPT` runs the script on
 * this host, so the stack suite's real L1 and L2 (node is on every host that runs Herd) go through the runner.
 */
function fakeStore(calls: string[][], opts: { loadFails?: boolean } = {}): () => Promise<PodmanStore> {
  return async () => ({
    async podman(args) {
      calls.push(args);
      const ok = (stdout: string) => ({ code: 0, stdout, stderr: '', timedOut: false });
      if (args[0] === 'load') return opts.loadFails ? { code: 125, stdout: '', stderr: 'Error: not an archive', timedOut: false } : ok('Loaded image: localhost/herd-stack-node:2026.12.01.0\n');
      if (args[0] === 'image') return ok(`${DIGEST}\n`);
      if (args[0] === 'run') return ok('c0ffee\n');
      if (args[0] === 'exec' && args[2] === 'cat') return ok(OS_RELEASE);
      if (args[0] === 'exec' && args[2] === 'bash') {
        const r = spawnSync('bash', ['-c', args[4]!], { encoding: 'utf8', timeout: 60_000 });
        return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, timedOut: false };
      }
      return ok('');
    },
    dispose: async () => {},
  });
}

function buildFolder(suites: string[], stack = { language: 'node', version: process.versions.node.split('.')[0]!, frameworks: [] as string[] }) {
  const dir = mkdtempSync(join(tmpdir(), 'herd-ctest-'));
  writeFileSync(join(dir, 'image.oci.tar'), 'not read by the fake');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    name: 'stack-node-oci', version: '2026.12.01.0', qaSuites: suites, catalog: { title: 't', stack },
    outputs: [{ format: 'oci', file: 'image.oci.tar', ociManifestDigest: DIGEST }],
  }));
  return dir;
}

describe('container QA runner', () => {
  it('runs O1, then the stack suite\'s container checks in one container, and writes the reports', async () => {
    const dir = buildFolder(['base', 'stack']);
    const calls: string[][] = [];
    const report = await testContainerImage({ image: join(dir, 'image.oci.tar'), outDir: join(dir, 'qa'), store: fakeStore(calls) });
    assert.deepEqual(report.results.map((r) => `${r.id} ${r.status}`), ['O1 pass', 'L1 pass', 'L2 pass'], JSON.stringify(report.results, null, 1));
    assert.equal(report.passed, true);
    assert.ok(calls.some((a) => a[0] === 'run' && a.includes('--network=none')), 'the container has no network');
    assert.ok(calls.filter((a) => a[0] === 'exec').every((a) => a[1] === 'c0ffee'), 'every check execs in the one container');
    assert.deepEqual(calls.at(-1)!.slice(0, 2), ['rm', '-f'], 'the container is removed');
    assert.equal(JSON.parse(readFileSync(join(dir, 'qa/report.json'), 'utf8')).passed, true);
  });

  it('fails a stack whose runtime is not the catalogued version, and errors on a suite that needs a VM', async () => {
    const dir = buildFolder(['base', 'stack', 'container-host'], { language: 'node', version: '7', frameworks: [] });
    const report = await testContainerImage({ image: join(dir, 'image.oci.tar'), outDir: join(dir, 'qa'), store: fakeStore([]) });
    const by = Object.fromEntries(report.results.map((r) => [r.id, r]));
    assert.equal(by.L1!.status, 'fail');
    assert.match(by.L1!.findings[0]!.message, /but the catalogue says 7/);
    assert.equal(by['container-host']!.status, 'error');
    assert.match(by['container-host']!.reason!, /needs a booted VM/);
    assert.equal(report.passed, false);
  });

  it('an image podman cannot load fails O1 and every later check errors without running', async () => {
    const dir = buildFolder(['stack']);
    const calls: string[][] = [];
    const report = await testContainerImage({ image: join(dir, 'image.oci.tar'), outDir: join(dir, 'qa'), store: fakeStore(calls, { loadFails: true }) });
    assert.deepEqual(report.results.map((r) => `${r.id} ${r.status}`), ['O1 fail', 'L1 error', 'L2 error']);
    assert.ok(!calls.some((a) => a[0] === 'exec'));
  });
});
