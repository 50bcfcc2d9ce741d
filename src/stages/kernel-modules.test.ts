import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { builtinModules, kernelVersionDirs, listModuleFiles, moduleName, moduleProblems, parseDepends, problemsError } from './kernel-modules.ts';

test('module names: compression suffix dropped, "-" and "_" the same (as modprobe sees them)', () => {
  assert.equal(moduleName('xen-blkfront.ko.xz'), 'xen_blkfront');
  assert.equal(moduleName('virtio_blk.ko'), 'virtio_blk');
  assert.equal(moduleName('ena.ko.zst'), 'ena');
  assert.equal(moduleName('xen-blkfront'), 'xen_blkfront');
});

test('modinfo -F depends: one line per module, empty for none; a count mismatch is an internal error', () => {
  assert.deepEqual(parseDepends('\ncdrom\nscsi_mod,scsi_common\n', ['a', 'b', 'c']), [[], ['cdrom'], ['scsi_mod', 'scsi_common']]);
  assert.deepEqual(parseDepends('', []), []);
  assert.throws(() => parseDepends('cdrom\n', ['a', 'b']), { code: 'footprint.modinfo_output' });
});

test('a kept module whose dependency was trimmed is reported, built-in ones count as present', () => {
  const mods = [
    { path: 'kernel/fs/isofs/isofs.ko.xz', name: 'isofs', depends: ['cdrom'] },
    { path: 'kernel/drivers/scsi/sd_mod.ko.xz', name: 'sd_mod', depends: ['scsi_mod', 'scsi_common'] },
    { path: 'kernel/drivers/scsi/scsi_mod.ko.xz', name: 'scsi_mod', depends: ['scsi_common'] },
  ];
  const p = moduleProblems(mods, new Set(['scsi_common']), ['sd_mod', 'xen-blkfront', 'nvme']);
  assert.deepEqual(p.missingDependencies, [{ module: 'kernel/fs/isofs/isofs.ko.xz', missing: ['cdrom'] }]);
  assert.deepEqual(p.missingInitramfs, ['xen-blkfront', 'nvme']);
  const e = problemsError(p, '6.12.0-cloud');
  assert.equal(e.code, 'footprint.kernel_modules_incomplete');
  assert.match(e.message, /isofs\.ko\.xz needs cdrom/);
  assert.match(e.message, /initramfs-modules names xen-blkfront/);
  assert.match(e.hint!, /kernel-modules-include/);
  // complete sets pass
  const ok = moduleProblems([...mods, { path: 'kernel/drivers/cdrom/cdrom.ko.xz', name: 'cdrom', depends: [] }], new Set(['scsi_common', 'nvme']), ['sd_mod', 'nvme']);
  assert.deepEqual(ok, { missingDependencies: [], missingInitramfs: [] });
});

test('module files and built-ins are read from the tree; /lib/modules as a merged-/usr link is not read twice', () => {
  const tree = tempDir('herd-kmod-');
  const v = join(tree, 'usr/lib/modules/6.12.0-cloud');
  mkdirSync(join(v, 'kernel/drivers/block'), { recursive: true });
  mkdirSync(join(v, 'updates'), { recursive: true });
  writeFileSync(join(v, 'kernel/drivers/block/virtio_blk.ko.xz'), '');
  writeFileSync(join(v, 'kernel/drivers/block/README'), '');
  writeFileSync(join(v, 'updates/extra-thing.ko'), '');
  writeFileSync(join(v, 'modules.builtin'), 'kernel/fs/ext4/ext4.ko\nkernel/drivers/nvme/host/nvme-core.ko\n');
  symlinkSync('usr/lib', join(tree, 'lib'));
  assert.deepEqual(kernelVersionDirs(tree).map((k) => k.inImage), ['/usr/lib/modules/6.12.0-cloud']);
  assert.deepEqual(listModuleFiles(v), ['kernel/drivers/block/virtio_blk.ko.xz', 'updates/extra-thing.ko']);
  assert.deepEqual([...builtinModules(v)].sort(), ['ext4', 'nvme_core']);
  assert.deepEqual(kernelVersionDirs(tempDir('herd-kmod-empty-')), [], 'a container tree has no kernel');
});
