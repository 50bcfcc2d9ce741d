import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountsUnder } from './mount-guard.ts';

test('finds mounts inside a folder, not beside it', () => {
  const f = join(tempDir('herd-mounts-'), 'mounts');
  writeFileSync(f, ['proc /proc proc rw 0 0', 'proc /c/steps/.tmp-a/tree/proc proc rw 0 0', 'udev /c/steps/.tmp-a/tree/dev devtmpfs rw 0 0',
    'x /c/steps/.tmp-ab ext4 rw 0 0', 'x /c/my\\040dir/m ext4 rw 0 0'].join('\n'));
  assert.deepEqual(mountsUnder('/c/steps/.tmp-a', f), ['/c/steps/.tmp-a/tree/proc', '/c/steps/.tmp-a/tree/dev']);
  assert.deepEqual(mountsUnder('/c/my dir', f), ['/c/my dir/m']);
  assert.deepEqual(mountsUnder('/elsewhere', f), []);
});
