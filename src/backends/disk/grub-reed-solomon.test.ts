import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRedundancy, rsParity, syndromes } from './grub-reed-solomon.ts';

test('a code word has zero syndromes, and one changed byte makes them non-zero', () => {
  const data = Uint8Array.from({ length: 37 }, (_, i) => (i * 31 + 5) & 0xff);
  const word = Uint8Array.from([...data, ...rsParity(data, 8)]);
  assert.deepEqual(syndromes(word, 8), new Array(8).fill(0));
  word[3]! ^= 0x40;
  assert.ok(syndromes(word, 8).some((s) => s !== 0));
});

test('addRedundancy leaves the data alone, fills only the redundancy, and refuses to overrun the buffer', () => {
  const buf = Buffer.alloc(4096);
  for (let i = 0; i < 2048; i++) buf[i] = (i * 13) & 0xff;
  const before = Buffer.from(buf);
  addRedundancy(buf, 100, 1948, 2048);
  assert.ok(buf.subarray(0, 2048).equals(before.subarray(0, 2048)));
  assert.ok(buf.subarray(2048).some((b) => b !== 0));
  assert.throws(() => addRedundancy(buf, 100, 1948, 4096), RangeError);
});

test('inputs over 200 sectors are coded in blocks, each column a code word of its block', () => {
  const size = 300 * 512;
  const red = 300 * 512;
  const buf = Buffer.alloc(size + red);
  for (let i = 0; i < size; i++) buf[i] = (i * 7 + (i >> 9)) & 0xff;
  addRedundancy(buf, 0, size, red);
  // first block: 100 sectors of data, 100 of redundancy (200 * 300/600 each)
  const col = (start: number, sectors: number, i: number) => Array.from({ length: sectors }, (_, k) => buf[start + k * 512 + i]!);
  for (const i of [0, 17, 511]) {
    const word = Uint8Array.from([...col(0, 100, i), ...col(size, 100, i)]);
    assert.deepEqual(syndromes(word, 100), new Array(100).fill(0), `column ${i}`);
  }
});
