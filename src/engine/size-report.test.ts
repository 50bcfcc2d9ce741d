import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { computeSizeReport, formatSizeReport } from './size-report.ts';
import { parseManifestText } from '../manifest/manifest-schema.ts';

/** A small merged-/usr tree with two packages, files no package owns, and one of each footprint item. */
function fakeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'herd-size-report-'));
  const file = (path: string, bytes: number) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), Buffer.alloc(bytes, 1));
  };
  file('usr/bin/dash', 1000);
  linkSync(join(root, 'usr/bin/dash'), join(root, 'usr/bin/sh.hardlink'));
  symlinkSync('usr/bin', join(root, 'bin'));
  file('usr/share/doc/dash/copyright', 50);
  file('usr/share/man/man1/dash.1.gz', 70);
  file('usr/share/info/dash.info', 11);
  file('usr/share/locale/de/LC_MESSAGES/dash.mo', 30);
  file('usr/lib/locale/C.utf8/LC_CTYPE', 400);
  file('usr/lib/modules/6.12.0-cloud-amd64/kernel/virtio.ko', 5000);
  file('usr/lib/python3/dist-packages/x/__pycache__/m.cpython-313.pyc', 300);
  file('usr/lib/python3/dist-packages/x/m.py', 100);
  file('etc/hostname', 7);
  file('boot/initrd.img', 20_000);
  file('var/lib/dpkg/status', 0);
  writeFileSync(join(root, 'var/lib/dpkg/status'), [
    'Package: dash\nStatus: install ok installed\nInstalled-Size: 212\nVersion: 0.5\n',
    'Package: linux-image-cloud-amd64\nStatus: install ok installed\nInstalled-Size: 90000\nVersion: 6.12\n',
    'Package: gone\nStatus: deinstall ok config-files\nInstalled-Size: 5\n',
  ].join('\n'));
  // dash lists its binary through the /bin symlink (as pre-merged-/usr packages do), the hard link and a directory
  file('var/lib/dpkg/info/dash.list', 0);
  writeFileSync(join(root, 'var/lib/dpkg/info/dash.list'), '/.\n/usr\n/bin/dash\n/usr/bin/sh.hardlink\n/usr/share/doc/dash/copyright\n/usr/share/man/man1/dash.1.gz\n/usr/share/doc/dash/changelog.gz\n');
  writeFileSync(join(root, 'var/lib/dpkg/info/linux-image-cloud-amd64:amd64.list'), '/usr/lib/modules/6.12.0-cloud-amd64/kernel/virtio.ko\n/usr/bin/dash\n');
  return root;
}

describe('size report', () => {
  it('counts bytes by top-level directory, package and footprint item, on a fake tree', () => {
    const root = fakeTree();
    try {
      const r = computeSizeReport(root);
      const varBytes = r.byDirectory.find((d) => d.path === '/var')!.bytes;
      assert.ok(varBytes > 0);
      // 16 paths, one a second hard link to dash: 15 files
      assert.equal(r.total.files, 15);
      assert.deepEqual(r.byDirectory.map((d) => [d.path, d.bytes]), [
        ['/boot', 20_000], ['/usr', 1000 + 50 + 70 + 11 + 30 + 400 + 5000 + 300 + 100], ['/var', varBytes], ['/bin', 'usr/bin'.length], ['/etc', 7],
      ]);
      assert.equal(r.total.bytes, 20_000 + 6961 + varBytes + 7 + 7);
      assert.deepEqual(r.byPackage.map((p) => [p.name, p.bytes, p.files, p.installedSizeKiB]), [
        ['linux-image-cloud-amd64', 5000, 1, 90000],
        ['dash', 1000 + 50 + 70, 3, 212],
      ]);
      assert.deepEqual(r.unpackaged, { bytes: r.total.bytes - 6120, files: r.total.files - 4 });
      assert.deepEqual(r.totals, {
        docs: { bytes: 50, files: 1 }, locales: { bytes: 430, files: 2 }, man: { bytes: 70, files: 1 }, info: { bytes: 11, files: 1 },
        kernelModules: { bytes: 5000, files: 1 }, pythonBytecode: { bytes: 300, files: 1 },
      });
      const text = formatSizeReport(r);
      assert.match(text, /by top-level directory:\n {2}\/boot +0\.0 MiB +1 files/);
      assert.match(text, /largest packages \(of 2\):\n {2}linux-image-cloud-amd64/);
      assert.match(text, /kernel modules +0\.0 MiB +1 files/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives the same report for the same tree (sorted, no inode numbers or times in it)', () => {
    const a = fakeTree();
    const b = fakeTree();
    try {
      assert.deepEqual(computeSizeReport(a), computeSizeReport(b));
      assert.doesNotMatch(JSON.stringify(computeSizeReport(a)), /herd-size-report-/);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it('works on a tree without dpkg (no packages, everything unpackaged)', () => {
    const root = mkdtempSync(join(tmpdir(), 'herd-size-report-'));
    try {
      writeFileSync(join(root, 'f'), 'abc');
      const r = computeSizeReport(root);
      assert.deepEqual(r.byPackage, []);
      assert.deepEqual(r.byDirectory, [{ path: '/f', bytes: 3, files: 1 }]);
      assert.deepEqual(r.unpackaged, { bytes: 3, files: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('manifest.json names the size report', () => {
  const minimal = { schemaVersion: 1, name: 'base', architecture: 'x86_64', recipeDigest: 'd', outputs: [{ format: 'qcow2', file: 'disk.qcow2', size: 1, sha256: 'a'.repeat(64) }] };
  it('optional (older manifests have none), and only as size-report.json with a sha256', () => {
    assert.equal(parseManifestText(JSON.stringify(minimal)).ok, true);
    assert.equal(parseManifestText(JSON.stringify({ ...minimal, sizeReport: { file: 'size-report.json', sha256: 'b'.repeat(64) } })).ok, true);
    assert.equal(parseManifestText(JSON.stringify({ ...minimal, sizeReport: { file: '../etc/passwd', sha256: 'b'.repeat(64) } })).ok, false);
    assert.equal(parseManifestText(JSON.stringify({ ...minimal, sizeReport: { file: 'size-report.json', sha256: 'nope' } })).ok, false);
  });
});
