import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOST_PATH, requireTools, runCommand, which } from './run-command.ts';

test('a missing host tool names the Debian package that provides it', async () => {
  await assert.rejects(runCommand(['mmdebstrap', '--version'], { env: { PATH: '/nonexistent' } }), (e: any) =>
    e.code === 'host.tool_missing' && e.kind === 'dependency' && /apt-get install mmdebstrap/.test(e.hint));
  await assert.rejects(runCommand(['qemu-img', 'info'], { env: { PATH: '/nonexistent' } }), (e: any) => /apt-get install qemu-utils/.test(e.hint));
});

test('a failing command reports its exit code and last output lines', async () => {
  const lines: string[] = [];
  await assert.rejects(runCommand(['sh', '-c', 'echo one; echo two >&2; exit 3'], { onLine: (l) => lines.push(l) }), (e: any) =>
    e.code === 'host.command_failed' && /exit 3/.test(e.message) && /two/.test(e.message));
  assert.deepEqual(lines.sort(), ['one', 'two']);
});

test('stdin, captured stdout and stdout to a file', async () => {
  assert.equal((await runCommand(['tr', 'a-z', 'A-Z'], { input: 'herd', captureStdout: true })).stdout, 'HERD');
  const dir = mkdtempSync(join(tmpdir(), 'herd-run-'));
  try {
    const f = join(dir, 'out');
    await runCommand(['printf', 'bytes'], { stdoutFile: f });
    assert.equal(readFileSync(f, 'utf8'), 'bytes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an abort signal stops the command', async () => {
  const ac = new AbortController();
  const p = runCommand(['sleep', '30'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p);
});

test('one environment policy: C.UTF-8, no inherited locale, the fixed host PATH', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herd-run-'));
  const saved = { PATH: process.env.PATH, LANG: process.env.LANG, LC_MESSAGES: process.env.LC_MESSAGES, LANGUAGE: process.env.LANGUAGE };
  try {
    // a user's PATH with its own "sfdisk" in front must not replace the host's
    writeFileSync(join(dir, 'sfdisk'), '#!/bin/sh\necho impostor\n', { mode: 0o755 });
    Object.assign(process.env, { PATH: `${dir}:${saved.PATH}`, LANG: 'de_DE.UTF-8', LC_MESSAGES: 'fr_FR.UTF-8', LANGUAGE: 'de' });
    const env = (await runCommand(['env'])).stdout.split('\n');
    assert.ok(env.includes('LC_ALL=C.UTF-8'));
    assert.deepEqual(env.filter((l) => /^(LANG|LANGUAGE|LC_MESSAGES)=/.test(l)), []);
    assert.ok(env.includes(`PATH=${DEFAULT_HOST_PATH}`));
    assert.doesNotMatch((await runCommand(['sfdisk', '--version'])).stdout, /impostor/);
    // a caller's own locale variables are ignored too; other variables pass
    const own = (await runCommand(['env'], { env: { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', HERD_X: 'y' } })).stdout.split('\n');
    assert.ok(own.includes('LC_ALL=C.UTF-8') && own.includes('HERD_X=y') && !own.some((l) => l.startsWith('LANG=')));
    assert.equal(which('sfdisk'), '/usr/sbin/sfdisk');
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HERD_HOST_PATH replaces the host PATH (hosts that keep tools elsewhere)', async () => {
  process.env.HERD_HOST_PATH = '/nonexistent';
  try {
    assert.equal(which('sh'), undefined);
    assert.throws(() => requireTools(['sh']), (e: any) => e.code === 'host.tool_missing');
    await assert.rejects(runCommand(['qemu-img', '--version']), (e: any) => e.code === 'host.tool_missing' && /qemu-utils/.test(e.hint));
  } finally {
    delete process.env.HERD_HOST_PATH;
  }
  assert.throws(() => requireTools(['/nonexistent/OVMF_CODE_4M.fd']), (e: any) => e.code === 'host.tool_missing');
});

test('allowFailure resolves with the exit code and both streams; a timeout kills the command', async () => {
  const r = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 4'], { allowFailure: true });
  assert.deepEqual(r, { code: 4, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  const t = await runCommand(['sleep', '30'], { timeoutMs: 100, allowFailure: true });
  assert.equal(t.timedOut, true);
  assert.notEqual(t.code, 0);
  await assert.rejects(runCommand(['sleep', '30'], { timeoutMs: 100 }), (e: any) => e.code === 'host.command_failed' && /timed out/.test(e.message));
  // a failure with nothing on stderr still says why, from the end of stdout
  await assert.rejects(runCommand(['sh', '-c', 'echo reason; exit 1']), (e: any) => /reason/.test(e.message));
});
