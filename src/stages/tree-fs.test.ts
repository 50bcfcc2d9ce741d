import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeTreeFile } from './tree-fs.ts';

test('a write never follows a symlinked folder out of the tree', () => {
  const tree = tempDir('herd-tree-');
  const outside = tempDir('herd-outside-');
  mkdirSync(join(tree, 'etc'));
  symlinkSync(outside, join(tree, 'etc/evil'));
  assert.throws(() => writeTreeFile(tree, '/etc/evil/passwd', 'x'), { code: 'tree.path_symlink' });
  assert.ok(!existsSync(join(outside, 'passwd')));
  writeTreeFile(tree, '/../../herd-escape-test', 'x');
  assert.ok(existsSync(join(tree, 'herd-escape-test')), '"/.." stays at the root of the tree');
});

test('a symlink at the target path is replaced, not followed', () => {
  const tree = tempDir('herd-tree-');
  const outside = join(tempDir('herd-outside-'), 'target');
  mkdirSync(join(tree, 'etc'));
  symlinkSync(outside, join(tree, 'etc/resolv.conf'));
  writeTreeFile(tree, '/etc/resolv.conf', 'nameserver x\n', { mode: 0o600 });
  assert.ok(!existsSync(outside));
  assert.ok(lstatSync(join(tree, 'etc/resolv.conf')).isFile());
  assert.equal(lstatSync(join(tree, 'etc/resolv.conf')).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(tree, 'etc/resolv.conf'), 'utf8'), 'nameserver x\n');
});
