import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { RunResult } from '../../backends/host/run-command.ts';
import type { BootContext } from './check.ts';
import { busyboxImage, GUEST_IMAGE_PATH, HOST_BUSYBOX, isStaticElf, putTestImage, TEST_IMAGE_NAME } from './container-test-image.ts';

/** A 64-bit ELF header with program headers of the given types (3 is PT_INTERP, 1 PT_LOAD). */
function elf(types: number[]): Buffer {
  const b = Buffer.alloc(64 + 56 * types.length);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(types.length, 56);
  types.forEach((t, i) => b.writeUInt32LE(t, 64 + 56 * i));
  return b;
}

test('a static executable has no program interpreter; a dynamic one or a non-ELF file is refused', () => {
  assert.equal(isStaticElf(elf([1, 1])), true);
  assert.equal(isStaticElf(elf([6, 3, 1])), false);
  assert.equal(isStaticElf(Buffer.from('#!/bin/sh\n')), false);
  // node itself is dynamically linked on every Debian host
  assert.equal(isStaticElf(readFileSync(process.execPath)), false);
  assert.throws(() => busyboxImage(readFileSync(process.execPath)), (e: any) => e.code === 'qa.busybox_not_static' && /busybox-static/.test(e.hint));
});

test('the test image carries busybox and the httpd page under its localhost name', () => {
  const img = busyboxImage(elf([1]));
  assert.equal(img.name, TEST_IMAGE_NAME);
  assert.ok(img.archive.includes(Buffer.from('bin/busybox')));
  assert.ok(img.archive.includes(Buffer.from('herd-qa busybox httpd')));
  assert.match(img.imageId, /^sha256:[0-9a-f]{64}$/);
});

test('the host busybox, when installed, is the static one', { skip: existsSync(HOST_BUSYBOX) ? false : 'busybox-static is not installed' }, () => {
  assert.equal(isStaticElf(readFileSync(HOST_BUSYBOX)), true, 'install busybox-static, not busybox');
});

/** A guest that holds files by path and answers sha256sum, mkdir and put. */
function fakeGuest(opts: { failPut?: boolean } = {}) {
  const files = new Map<string, Buffer>();
  const puts: string[] = [];
  const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '' }) as RunResult;
  const ctx = {
    async sh(cmd: string) {
      const m = /^sha256sum (\S+)/.exec(cmd);
      if (m) {
        const f = files.get(m[1]!);
        const { createHash } = await import('node:crypto');
        return f ? ok(`${createHash('sha256').update(f).digest('hex')}  ${m[1]}\n`) : ({ code: 1, stdout: '', stderr: '' } as RunResult);
      }
      return ok();
    },
    async put(path: string, data: Buffer) {
      puts.push(path);
      if (opts.failPut) return { code: 1, stdout: '', stderr: 'No space left on device' } as RunResult;
      files.set(path, data);
      return ok();
    },
  } as unknown as BootContext;
  return { ctx, files, puts };
}

test('the archive is copied once per guest, and a failed copy is a finding', { skip: existsSync(HOST_BUSYBOX) ? false : 'busybox-static is not installed' }, async () => {
  const g = fakeGuest();
  assert.deepEqual((await putTestImage(g.ctx)).findings, []);
  assert.deepEqual((await putTestImage(g.ctx)).findings, []);
  assert.deepEqual(g.puts, [GUEST_IMAGE_PATH], 'the second check finds the file already there');
  g.files.set(GUEST_IMAGE_PATH, Buffer.from('truncated'));
  await putTestImage(g.ctx);
  assert.equal(g.puts.length, 2, 'a file with another checksum is replaced');
  const bad = fakeGuest({ failPut: true });
  const r = await putTestImage(bad.ctx);
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /No space left on device/);
});
