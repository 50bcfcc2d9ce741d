import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import type { ArtifactStore } from './artifact-store.ts';
import { FsArtifactStore } from './fs-artifact-store.ts';

interface Target { name: string; skip: string | false; make(): Promise<{ store: ArtifactStore; cleanup(): Promise<void> }> }

const targets: Target[] = [
  {
    name: 'filesystem',
    skip: false,
    async make() {
      const dir = mkdtempSync(join(tmpdir(), 'herd-artifacts-'));
      return { store: new FsArtifactStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

for (const target of targets) {
  describe(`artifact store contract (${target.name})`, { skip: target.skip }, async () => {
    const { store, cleanup } = await target.make();
    after(cleanup);

    test('put returns the size and sha256 of what was stored; open streams it back', async () => {
      const body = 'hello cloud image\n'.repeat(1000);
      const stored = await store.put('base/2026.11.25.0/x86_64/disk.qcow2', Readable.from([body]));
      assert.deepEqual(stored, { key: 'base/2026.11.25.0/x86_64/disk.qcow2', size: body.length, sha256: sha(body) });
      const opened = await store.open(stored.key);
      assert.equal(opened.size, body.length);
      assert.equal(await text(opened.body), body);
    });

    test('open with a byte range returns exactly that range, clamped to the end', async () => {
      await store.put('r/file.bin', Buffer.from('0123456789'));
      const mid = await store.open('r/file.bin', { start: 2, end: 5 });
      assert.equal(await text(mid.body), '2345');
      assert.deepEqual(mid.range, { start: 2, end: 5 });
      const tail = await store.open('r/file.bin', { start: 7, end: 1000 });
      assert.equal(await text(tail.body), '789');
      await assert.rejects(store.open('r/file.bin', { start: 10, end: 12 }), { code: 'artifact.bad_range' });
    });

    test('stat gives a stable ETag that changes when the object is replaced', async () => {
      await store.put('e/x', Buffer.from('one'));
      const a = await store.stat('e/x');
      assert.equal(a?.etag, (await store.stat('e/x'))?.etag);
      await new Promise((r) => setTimeout(r, 5));
      await store.put('e/x', Buffer.from('three'));
      assert.notEqual((await store.stat('e/x'))?.etag, a?.etag);
    });

    test('a failing source stores nothing, not even a partial object', async () => {
      async function* broken() { yield Buffer.from('partial'); throw new Error('disk vanished'); }
      await assert.rejects(store.put('f/broken.raw', Readable.from(broken())), { code: 'artifact.write_failed' });
      assert.equal(await store.stat('f/broken.raw'), undefined);
      if (store instanceof FsArtifactStore) assert.deepEqual(readdirSync(join(store.root, '.tmp')), []);
    });

    test('delete removes; unknown keys are not found; keys cannot escape', async () => {
      await store.put('d/gone', Buffer.from('x'));
      await store.delete('d/gone');
      await store.delete('d/gone');
      await assert.rejects(store.open('d/gone'), { code: 'artifact.not_found' });
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', '']) {
        await assert.rejects(store.put(bad, Buffer.from('x')), { code: 'artifact.bad_key' }, bad);
      }
      assert.match(store.url('d/gone'), /^(file|https?):\/\//);
    });
  });
}
