import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { StepCache } from './step-cache.ts';

test('has() only looks; get() marks the entry used; prune goes by last use', () => {
  const root = tempDir('herd-step-cache-');
  const cache = new StepCache(root);
  const tmp = cache.begin('a'.repeat(32));
  cache.commit('a'.repeat(32), tmp, { stage: 'x' });
  const meta = join(root, 'steps', 'a'.repeat(32), 'meta.json');
  const old = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(meta, old, old);
  const before = statSync(meta).mtimeMs;

  assert.equal(cache.has('a'.repeat(32)), true);
  assert.equal(cache.has('b'.repeat(32)), false);
  assert.equal(statSync(meta).mtimeMs, before, 'has() must not count as use');

  assert.ok(cache.get('a'.repeat(32)));
  assert.ok(statSync(meta).mtimeMs > before + 86_400_000, 'get() is a use');
  assert.deepEqual(cache.prune(14).removed, []);
});

test('a cache that was never written to is not created by looking at it', () => {
  const root = join(tempDir('herd-step-cache-'), 'none');
  const cache = new StepCache(root);
  assert.equal(cache.has('a'.repeat(32)), false);
  assert.deepEqual(cache.prune(0).removed, []);
  assert.equal(existsSync(root), false);
});

test('a relative cache folder (--cache cache) is made absolute: stages run tools in other working directories', () => {
  const cache = new StepCache('relative-cache-dir');
  assert.equal(cache.root, join(process.cwd(), 'relative-cache-dir'));
  assert.equal(cache.packages, join(process.cwd(), 'relative-cache-dir', 'packages'));
  const work = cache.begin('abc');
  try {
    assert.ok(work.startsWith(join(process.cwd(), 'relative-cache-dir', 'steps', '.tmp-abc-')), work);
  } finally {
    rmSync(join(process.cwd(), 'relative-cache-dir'), { recursive: true, force: true });
  }
});
