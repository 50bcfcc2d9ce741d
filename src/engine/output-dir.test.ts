import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputDir } from './output-dir.ts';

test('files appear only on commit, replacing the previous build; abort leaves nothing', () => {
  const parent = tempDir('herd-out-');
  const target = join(parent, 'base');
  const a = new OutputDir(target);
  writeFileSync(a.path('manifest.json'), 'one');
  assert.ok(!existsSync(target));
  a.commit();
  assert.equal(readFileSync(join(target, 'manifest.json'), 'utf8'), 'one');

  const b = new OutputDir(target);
  writeFileSync(b.path('manifest.json'), 'two');
  b.abort();
  assert.equal(readFileSync(join(target, 'manifest.json'), 'utf8'), 'one', 'a failed rebuild keeps the last good output');
  assert.deepEqual(readdirSync(parent), ['base']);
});

test('a folder holding other files is refused', () => {
  const target = tempDir('herd-out-');
  mkdirSync(join(target, 'src'));
  assert.throws(() => new OutputDir(target), { code: 'output.not_empty' });
});
