import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASYNC_CHUNK_SIZES, chunkBuffer, chunkFile, type ContentChunk } from './content-chunks.ts';

const KiB = 1024;
const { min, max } = CASYNC_CHUNK_SIZES;

/** Seeded pseudo-random bytes (xorshift32): the same buffer on every run and machine. */
function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function collect(chunks: AsyncIterable<ContentChunk>): Promise<ContentChunk[]> {
  const all: ContentChunk[] = [];
  for await (const c of chunks) all.push(c);
  return all;
}

function withFile<T>(bytes: Uint8Array, f: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'herd-chunks-'));
  const path = join(dir, 'data');
  writeFileSync(path, bytes);
  return f(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('content-defined chunks', () => {
  const data = noise(4 * 1024 * KiB);

  it('cuts the same boundaries on every run: a change here invalidates every stored chunk index', () => {
    const chunks = chunkBuffer(data);
    assert.deepEqual(chunkBuffer(data), chunks);
    assert.deepEqual(chunks.slice(0, 6).map((c) => c.length), GOLDEN_LENGTHS);
    assert.equal(chunks.reduce((n, c) => n + c.length, 0), data.length);
    chunks.forEach((c, i) => assert.equal(c.offset, i === 0 ? 0 : chunks[i - 1]!.offset + chunks[i - 1]!.length));
    // the average lands near casync's 64 KiB target
    const mean = data.length / chunks.length;
    assert.ok(mean > 48 * KiB && mean < 96 * KiB, `mean chunk ${mean}`);
  });

  it('finds every chunk past the next boundary or two again after a few bytes are inserted near the start', () => {
    const before = chunkBuffer(data);
    const edited = new Uint8Array(data.length + 7);
    edited.set(data.subarray(0, 1000));
    edited.set([1, 2, 3, 4, 5, 6, 7], 1000);
    edited.set(data.subarray(1000), 1007);
    const after = chunkBuffer(edited);
    const known = new Set(before.map((c) => c.sha256));
    const fresh = after.filter((c) => !known.has(c.sha256));
    assert.ok(fresh.length >= 1 && fresh.length <= 2, `${fresh.length} new chunks`);
    assert.ok(fresh.every((c) => c.offset < 2 * max), 'only chunks near the insertion are new');
    // past them, the same chunks at offsets moved by the insertion
    assert.deepEqual(after.slice(fresh.length).map((c) => [c.offset - 7, c.length, c.sha256]),
      before.slice(before.length - (after.length - fresh.length)).map((c) => [c.offset, c.length, c.sha256]));
  });

  it('keeps every chunk but the last between min and max, and cuts an unchanging input at max', () => {
    for (const c of chunkBuffer(data).slice(0, -1)) assert.ok(c.length >= min && c.length <= max, `chunk of ${c.length}`);
    const flat = chunkBuffer(new Uint8Array(3 * max + 5 * KiB).fill(0x5a));
    assert.deepEqual(flat.map((c) => c.length), [max, max, max, 5 * KiB]);
    assert.deepEqual(chunkBuffer(new Uint8Array(10)).map((c) => c.length), [10]);
    assert.deepEqual(chunkBuffer(new Uint8Array(0)), []);
  });

  it('chunks a file of zeros into identical max-size chunks', async () => {
    const chunks = await withFile(new Uint8Array(5 * max + 100), (p) => collect(chunkFile(p)));
    assert.deepEqual(chunks.map((c) => c.length), [max, max, max, max, max, 100]);
    assert.equal(new Set(chunks.slice(0, 5).map((c) => c.sha256)).size, 1);
    assert.equal(chunks[0]!.sha256, '8a39d2abd3999ab73c34db2476849cddf303ce389b35826850f9a700589b4a90'); // sha256 of 256 KiB of zeros
  });

  it('streams a file in blocks smaller than a chunk and finds the chunks of the whole buffer', async () => {
    const chunks = await withFile(data, (p) => collect(chunkFile(p, CASYNC_CHUNK_SIZES, 100_003)));
    assert.deepEqual(chunks, chunkBuffer(data));
  });

  it('refuses chunk sizes it cannot cut with', () => {
    for (const sizes of [{ min: 64, avg: 48, max: 256 }, { min: 16, avg: 100, max: 256 }, { min: 0, avg: 64, max: 256 }, { min: 16, avg: 64, max: 64 }]) {
      assert.throws(() => chunkBuffer(data, sizes), (e: Error & { code?: string }) => e.code === 'chunks.sizes' && /avg a power of two/.test((e as { hint?: string }).hint ?? ''));
    }
  });
});

const GOLDEN_LENGTHS = [78080, 68080, 67825, 80609, 81904, 28951];
