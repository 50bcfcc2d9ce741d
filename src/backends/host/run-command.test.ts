import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

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
