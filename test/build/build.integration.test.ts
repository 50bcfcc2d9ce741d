import { tempDir } from '../helpers/temp-dir.ts';
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sh, debugfsCat, debugfsLs, debugfsStat, hasTools } from '../helpers/host.ts';
import { readVhdFooter } from '../../src/backends/disk/vhd-footer.ts';
import { readVmdkCid } from '../../src/backends/disk/vmdk-cid.ts';

/**
 * Builds a real image from test/fixtures/recipes/small.yaml through the CLI and inspects it without
 * mounting anything: partition table (sfdisk --json), root filesystem (debugfs), formats (qemu-img info).
 * The raw disk is left at $HERD_TEST_IMAGE for the QA tests that run after this file.
 */
const repo = resolve(import.meta.dirname, '../..');
const imagePath = process.env.HERD_TEST_IMAGE ?? join(repo, '.herd/test-images/small/disk.raw');
const outDir = dirname(imagePath);
const recipeDir = tempDir('herd-it-recipe-');
const canBuild = process.getuid?.() === 0 && hasTools('mmdebstrap', 'mke2fs', 'sfdisk', 'qemu-img', 'grub-mkimage', 'mcopy');
const skip = canBuild ? false : 'needs root and the host tools (run: npx herd doctor --install)';

interface Event { event: string; status?: string; stage?: string; outDir?: string }
function herd(...args: string[]): { events: Event[]; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
  return { events, status: r.status, stderr: r.stderr };
}

let rootImg = '';

function readHead(file: string, length: number, position = 0): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, position);
    return buf;
  } finally {
    closeSync(fd);
  }
}
let sfdisk: { partitiontable: { label: string; id: string; partitions: Array<{ node: string; start: number; size: number; type: string }> } };

before(() => {
  if (skip) return;
  // a copy of the fixture recipe, so the warm-rebuild test can change one file without touching the repo
  cpSync(join(repo, 'test/fixtures/recipes'), recipeDir, { recursive: true });
  writeFileSync(join(recipeDir, 'small.yaml'), readFileSync(join(recipeDir, 'small.yaml'), 'utf8').replace('../../../recipes/base.yaml', join(repo, 'recipes/base.yaml')));
  const r = herd('build', join(recipeDir, 'small.yaml'), '--out', outDir, '--json');
  assert.equal(r.status, 0, `build failed: ${r.stderr}`);
  sfdisk = JSON.parse(sh(['sfdisk', '--json', imagePath]));
  const root = sfdisk.partitiontable.partitions.find((p) => p.node.endsWith('1'))!;
  rootImg = join(recipeDir, 'root.img');
  sh(['dd', `if=${imagePath}`, `of=${rootImg}`, 'bs=512', `skip=${root.start}`, `count=${root.size}`, 'conv=sparse', 'status=none']);
});

test('GPT: BIOS boot, ESP, and the root partition last so growpart can grow it', { skip }, () => {
  const t = sfdisk.partitiontable;
  assert.equal(t.label, 'gpt');
  const byNum = Object.fromEntries(t.partitions.map((p) => [p.node.slice(imagePath.length), p]));
  assert.equal(byNum['14']!.type, '21686148-6449-6E6F-744E-656564454649');
  assert.equal(byNum['15']!.type, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
  assert.equal(byNum['1']!.type, '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709');
  const last = Math.max(...t.partitions.map((p) => p.start));
  assert.equal(byNum['1']!.start, last);
  for (const p of t.partitions) assert.equal(p.start % 2048, 0, 'partitions are 1 MiB aligned');
});

test('MBR carries GRUB boot code and the ESP holds the UEFI loader', { skip }, () => {
  const mbr = readHead(imagePath, 512);
  assert.equal(mbr.readUInt16LE(510), 0xaa55);
  assert.ok(mbr.includes(Buffer.from('GRUB')), 'boot.img in the MBR');
  const esp = sfdisk.partitiontable.partitions.find((p) => p.node.endsWith('15'))!;
  const dir = sh(['mdir', '-b', '-i', `${imagePath}@@${esp.start * 512}`, '::/EFI/BOOT']);
  assert.match(dir, /BOOTX64\.EFI/i);
});

test('root filesystem: identity, cloud-init, SSH policy, sealed, trimmed, the recipe file', { skip }, () => {
  const osRelease = debugfsCat(rootImg, '/usr/lib/os-release')!;
  assert.match(osRelease, /^IMAGE_ID=small$/m);
  assert.match(osRelease, /^IMAGE_VERSION=\d{4}\.\d{2}\.\d{2}\.0$/m);
  assert.equal(debugfsCat(rootImg, '/etc/machine-id'), '');
  assert.deepEqual(debugfsLs(rootImg, '/etc/ssh').filter((n) => n.startsWith('ssh_host_')), []);
  assert.match(debugfsCat(rootImg, '/etc/cloud/cloud.cfg.d/90-herd-datasources.cfg')!, /datasource_list: \[ NoCloud, None \]/);
  assert.match(debugfsCat(rootImg, '/etc/ssh/sshd_config.d/50-herd.conf')!, /PasswordAuthentication no/);
  assert.match(debugfsCat(rootImg, '/etc/shadow')!, /^root:!\*:/m);
  assert.equal(debugfsCat(rootImg, '/etc/herd-test/marker'), 'built by the Herd integration test\n');
  assert.match(debugfsStat(rootImg, '/etc/herd-test/marker'), /Mode:\s+0640/);
  assert.deepEqual(debugfsLs(rootImg, '/usr/share/man'), []);
  assert.deepEqual(debugfsLs(rootImg, '/var/lib/apt/lists').filter((n) => n !== 'partial' && n !== 'lock'), []);
  const fstab = debugfsCat(rootImg, '/etc/fstab')!;
  const uuid = /UUID=(\S+) \/ ext4/.exec(fstab)![1]!;
  assert.match(sh(['dumpe2fs', '-h', rootImg]), new RegExp(`Filesystem UUID:\\s+${uuid}`));
  assert.match(debugfsCat(rootImg, '/boot/grub/grub.cfg')!, new RegExp(`root=UUID=${uuid}`));
  assert.deepEqual(debugfsLs(rootImg, '/usr/share/perl'), [], 'no full perl in the base image (perl-base only)');
  assert.deepEqual(debugfsLs(rootImg, '/usr/lib/udev/hwdb.d'), [], 'no hardware database sources');
  // no first-boot rebuild of ld.so.cache and the journal catalog (ConditionNeedsUpdate)
  for (const dir of ['/etc', '/var']) assert.match(debugfsCat(rootImg, `${dir}/.updated`)!, /^TIMESTAMP_NSEC=\d+000000000$/m);
});

test('Debian 13 network stack: cloud-init renders for networkd, networkd + resolved enabled, no ifupdown or netplan', { skip }, () => {
  assert.match(debugfsCat(rootImg, '/etc/cloud/cloud.cfg.d/91-herd-image.cfg')!, /^ {4}renderers: \[networkd\]$/m);
  assert.match(debugfsStat(rootImg, '/etc/resolv.conf'), /Type: symlink/);
  assert.match(debugfsStat(rootImg, '/etc/resolv.conf'), /Fast link dest: "\.\.\/run\/systemd\/resolve\/stub-resolv\.conf"/);
  assert.ok(debugfsLs(rootImg, '/etc/systemd/system/multi-user.target.wants').includes('systemd-networkd.service'));
  assert.ok(debugfsLs(rootImg, '/etc/systemd/system/sysinit.target.wants').includes('systemd-resolved.service'));
  assert.match(debugfsCat(rootImg, '/etc/systemd/resolved.conf.d/50-herd.conf')!, /^LLMNR=no$/m);
  assert.equal(debugfsCat(rootImg, '/etc/network/interfaces'), undefined);
  assert.deepEqual(debugfsLs(rootImg, '/etc/netplan'), [], 'no netplan');
  assert.ok(!debugfsLs(rootImg, '/etc/systemd/network').some((f) => f.startsWith('10-cloud-init')), 'cloud-init writes its networkd file at first boot');
  const kernels = debugfsLs(rootImg, '/usr/lib/modules');
  assert.equal(kernels.length, 1);
  assert.deepEqual(debugfsLs(rootImg, `/usr/lib/modules/${kernels[0]}/kernel/sound`), [], 'excluded module folders stay out');
  // the module allow-list: cloud drivers in, what no cloud presents out
  const mod = `/usr/lib/modules/${kernels[0]}/kernel`;
  assert.ok(debugfsLs(rootImg, `${mod}/drivers/block`).includes('virtio_blk.ko.xz'));
  assert.ok(debugfsLs(rootImg, `${mod}/drivers/net/ethernet/amazon/ena`).includes('ena.ko.xz'));
  // dpkg keeps the folders of what a path filter leaves out, empty
  assert.deepEqual(debugfsLs(rootImg, `${mod}/drivers/block/drbd`), [], 'drivers/block/drbd is not on the allow-list');
  assert.deepEqual(debugfsLs(rootImg, `${mod}/drivers/net/wwan/iosm`), []);
  // the initramfs holds the listed modules only (initramfs-tools reads these before /etc)
  assert.match(debugfsCat(rootImg, '/usr/share/initramfs-tools/conf.d/herd-modules')!, /^MODULES=list$/m);
  assert.match(debugfsCat(rootImg, '/usr/share/initramfs-tools/modules.d/herd')!, /^virtio_blk$/m);
  // common iconv converters only
  const gconv = debugfsLs(rootImg, '/usr/lib/x86_64-linux-gnu/gconv');
  assert.ok(gconv.includes('UTF-16.so') && gconv.includes('gconv-modules.cache'));
  assert.ok(!gconv.includes('libCNS.so'));
});

test('every format is what qemu-img (or its tool) says it is; SHA256SUMS verifies', { skip }, () => {
  const info = (f: string, fmt?: string) => JSON.parse(sh(['qemu-img', 'info', '--output=json', ...(fmt ? ['-f', fmt] : []), join(outDir, f)]));
  assert.equal(info('disk.qcow2').format, 'qcow2');
  assert.equal(info('disk.qcow2')['virtual-size'], 2 * 1024 ** 3);
  assert.equal(info('disk.vmdk').format, 'vmdk');
  assert.equal(info('disk.vmdk')['format-specific'].data['create-type'], 'streamOptimized');
  // a fixed VHD is the raw disk plus a 512-byte footer, so it must be read as vpc explicitly
  const vhd = info('disk.vhd', 'vpc');
  assert.equal(vhd['virtual-size'], 2 * 1024 ** 3);
  // qemu-img info does not report a VPC subformat: read the disk type from the footer itself (2 = fixed, 3 = dynamic)
  const vhdSize = statSync(join(outDir, 'disk.vhd')).size;
  assert.equal(vhdSize, 2 * 1024 ** 3 + 512);
  assert.equal(readHead(join(outDir, 'disk.vhd'), 8, vhdSize - 512).toString(), 'conectix');
  const footer = readVhdFooter(join(outDir, 'disk.vhd'));
  assert.equal(footer.diskType, 2, 'a fixed VHD');
  assert.equal(footer.currentSize, 2n * 1024n ** 3n);
  const m = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
  assert.equal(footer.timestamp, m.sourceDateEpoch, 'VHD time is SOURCE_DATE_EPOCH, not the build time');
  assert.notEqual(readVmdkCid(join(outDir, 'disk.vmdk')), undefined);
  sh(['xz', '-t', join(outDir, 'disk.raw.xz')]);
  assert.match(sh(['tar', '-tzf', join(outDir, 'disk.gce.tar.gz')]), /^disk\.raw$/m);
  const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.equal(check.stdout.trim().split('\n').length, 6);
});

test('manifest.json lists every installed package with its exact version', { skip }, () => {
  const m = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
  assert.equal(m.schemaVersion, 1);
  assert.equal(m.name, 'small');
  const names = new Map<string, string>(m.packages.map((p: { name: string; version: string }) => [p.name, p.version]));
  assert.match(names.get('linux-image-cloud-amd64') ?? '', /^\d/);
  assert.ok(names.has('cloud-init') && names.has('openssh-server') && names.has('usr-is-merged'));
  assert.ok(!names.has('usrmerge') && !names.has('perl'));
  assert.equal(m.outputs.length, 6);
  assert.match(m.build.tools.mmdebstrap, /mmdebstrap/);
});

// Debian 12 stays supported: it builds (raw only, to keep CI short) with its own stack from the release table.
// Its disk is left next to the main test image, where test/qa/boot-real-image.test.ts boots it.
test('Debian 12 (recipes/base-debian12.yaml) builds with ifupdown and /lib/modules', { skip }, () => {
  const recipe = join(recipeDir, 'debian12.yaml');
  // removals: a child's `outputs: [raw]` would add raw to the inherited formats and build all six (and two platform disks)
  writeFileSync(recipe, `extends: ${join(repo, 'recipes/base-debian12.yaml')}\noutputs: ["!qcow2", "!raw.xz", "!vmdk", "!vhd", "!gce"]\n`);
  const out = join(dirname(outDir), 'base-debian12');
  const r = herd('build', recipe, '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const disk = join(out, 'disk.raw');
  const table = JSON.parse(sh(['sfdisk', '--json', disk])) as typeof sfdisk;
  const root = table.partitiontable.partitions.find((p) => p.node.endsWith('1'))!;
  const img = join(recipeDir, 'root12.img');
  sh(['dd', `if=${disk}`, `of=${img}`, 'bs=512', `skip=${root.start}`, `count=${root.size}`, 'conv=sparse', 'status=none']);
  try {
    assert.match(debugfsCat(img, '/usr/lib/os-release')!, /^VERSION_ID="12"$/m);
    assert.match(debugfsCat(img, '/etc/network/interfaces')!, /^source \/etc\/network\/interfaces\.d\/\*$/m);
    assert.match(debugfsCat(img, '/etc/cloud/cloud.cfg.d/91-herd-image.cfg')!, /^ {4}renderers: \[eni\]$/m);
    assert.match(debugfsStat(img, '/etc/resolv.conf'), /Type: regular/);
    assert.equal(debugfsCat(img, '/etc/systemd/resolved.conf.d/50-herd.conf'), undefined);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const names = new Set(m.packages.map((p: { name: string }) => p.name));
    assert.ok(names.has('ifupdown') && names.has('isc-dhcp-client') && !names.has('netplan.io'));
  } finally {
    rmSync(img, { force: true });
  }
});

test('a late change rebuilds from the cached rootfs', { skip }, () => {
  // unique content: a cache left by an earlier run on this machine must not already hold this change
  writeFileSync(join(recipeDir, 'files/marker.txt'), `changed ${process.pid} ${Date.now()}\n`);
  // raw only: the conversions are not what this test is about, and they cost minutes under CI
  const warm = join(recipeDir, 'warm.yaml');
  writeFileSync(warm, 'extends: small.yaml\noutputs: ["!qcow2", "!raw.xz", "!vmdk", "!vhd", "!gce"]\n');
  const warmOut = join(recipeDir, 'warm-out');
  const r = herd('build', warm, '--out', warmOut, '--json');
  assert.equal(r.status, 0, r.stderr);
  const ends = r.events.filter((e) => e.event === 'step-end');
  assert.equal(ends.find((e) => e.stage === 'rootfs')!.status, 'cached');
  assert.equal(ends.find((e) => e.stage === 'configure')!.status, 'built');
  assert.equal(ends.find((e) => e.stage === 'disk')!.status, 'built');
  assert.equal(readFileSync(join(warmOut, 'SHA256SUMS'), 'utf8').trim().split('\n').length, 1);
  rmSync(warmOut, { recursive: true, force: true });
});

test('reproducible: two builds from empty step caches give the same bytes in the raw and qcow2 disks', { skip }, () => {
  // Every step of the generic disk (rootfs, configure, seal, disk) and its qcow2, built twice from nothing. Not the
  // other formats: vmdk, vhd and raw.xz are conversions the unit test in src/stages/convert.test.ts proves
  // bit-identical on a small disk, and vhd and gce each need their own platform disk (the same disk step over
  // one more cloud-init file). Measured on the 2-core machine: the vmdk, vhd and gce steps took 3.6 min of a
  // round under load; both rounds of raw and qcow2 take 4.4 min at rest.
  const repro = join(recipeDir, 'repro.yaml');
  writeFileSync(repro, 'extends: small.yaml\noutputs: ["!raw.xz", "!vmdk", "!vhd", "!gce"]\n');
  const r = spawnSync(process.execPath, [join(repo, 'bin/herd.js'), 'build', repro, '--check-reproducible', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const verdict = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.event === 'reproducible');
  assert.equal(verdict.identical, true, JSON.stringify(verdict.files));
  const files = verdict.files as Array<{ file: string; identical: boolean; first: string; second: string }>;
  for (const name of ['disk.raw', 'disk.qcow2']) {
    assert.ok(files.some((f) => f.file === name), `${name} was not compared (compared: ${files.map((f) => f.file).join(', ')})`);
  }
  for (const f of files) {
    assert.match(f.first, /^[0-9a-f]{64}$/, f.file);
    assert.equal(f.first, f.second, f.file);
  }
});

test('a failed build leaves no output folder behind', { skip }, () => {
  const bad = join(recipeDir, 'budget.yaml');
  writeFileSync(bad, `extends: ${join(repo, 'recipes/base.yaml')}\nname: tiny\noutputs: ["!raw.xz", "!gce", "!vmdk", "!vhd"]\nsize-budget:\n  qcow2: 1MiB\n`);
  const out = join(recipeDir, 'never');
  const r = herd('build', bad, '--out', out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /size\.budget_exceeded/);
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(recipeDir).filter((f) => f.startsWith('.never')), [], 'no staging folder left');
});
