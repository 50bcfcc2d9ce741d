import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dpkgFilters } from './footprint-filters.ts';
import { footprintSchema } from '../recipe/schema.ts';

/** dpkg's rule: globs where "*" also matches "/" ("[1-9]" is a class), applied in order, the last match deciding (dpkg(1)). */
function installed(filters: string[], path: string): boolean {
  let keep = true;
  for (const f of filters) {
    const [kind, glob] = f.split('=') as [string, string];
    const re = new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    if (re.test(path)) keep = kind === 'path-include';
  }
  return keep;
}

const M = '/usr/lib/modules/6.12.0-cloud/kernel';

test('module allow-list: only the named folders and modules are installed, exclusions carve inside them', () => {
  const f = footprintSchema.parse({
    'kernel-modules-include': ['drivers/virtio', 'drivers/net/virtio_net', 'net'],
    'kernel-modules-exclude': ['net/tipc', 'drivers/virtio/virtio_vdpa'],
  });
  const rules = dpkgFilters(f, '/usr/lib/modules');
  assert.equal(installed(rules, `${M}/drivers/virtio/virtio_balloon.ko.xz`), true);
  assert.equal(installed(rules, `${M}/drivers/net/virtio_net.ko.xz`), true);
  assert.equal(installed(rules, `${M}/drivers/net/virtio_net_extra.ko.xz`), false, 'a module path is not a prefix');
  assert.equal(installed(rules, `${M}/drivers/net/vxlan/vxlan.ko.xz`), false);
  assert.equal(installed(rules, `${M}/net/bridge/bridge.ko.xz`), true);
  assert.equal(installed(rules, `${M}/net/tipc/tipc.ko.xz`), false, 'an exclusion inside an included folder');
  assert.equal(installed(rules, `${M}/drivers/virtio/virtio_vdpa.ko.xz`), false, 'a single excluded module');
  assert.equal(installed(rules, `${M}/sound/core/snd.ko.xz`), false);
  // what is not a kernel module is untouched
  assert.equal(installed(rules, '/usr/lib/modules/6.12.0-cloud/modules.builtin'), true);
  assert.equal(installed(rules, '/usr/bin/ls'), true);
});

test('without an allow-list every module is installed but the excluded ones (the check above can fail)', () => {
  const rules = dpkgFilters(footprintSchema.parse({ 'kernel-modules-exclude': ['sound'] }), '/lib/modules');
  const at = '/lib/modules/6.1.0-cloud/kernel';
  assert.equal(installed(rules, `${at}/drivers/net/vxlan/vxlan.ko`), true);
  assert.equal(installed(rules, `${at}/sound/core/snd.ko`), false);
  assert.ok(!rules.some((r) => r === 'path-exclude=/lib/modules/*/kernel/*'));
});

test('iconv-modules: common keeps the Unicode and European converters and the gconv configuration', () => {
  const rules = dpkgFilters(footprintSchema.parse({ 'iconv-modules': 'common' }), '/usr/lib/modules');
  const g = '/usr/lib/x86_64-linux-gnu/gconv';
  for (const kept of ['UTF-16.so', 'ISO8859-15.so', 'CP1252.so', 'KOI8-R.so', 'gconv-modules', 'gconv-modules.cache', 'gconv-modules.d/gconv-modules-extra.conf']) {
    assert.equal(installed(rules, `${g}/${kept}`), true, kept);
  }
  for (const gone of ['libCNS.so', 'BIG5.so', 'IBM1047.so', 'EUC-JP.so']) assert.equal(installed(rules, `${g}/${gone}`), false, gone);
  // the default keeps every converter
  assert.equal(installed(dpkgFilters(footprintSchema.parse({}), '/usr/lib/modules'), `${g}/libCNS.so`), true);
});

test('Python files stay, whatever the footprint: the python3.13 postinst byte-compiles every file dpkg lists, present or not', () => {
  const rules = dpkgFilters(footprintSchema.parse({ docs: false, man: false, 'iconv-modules': 'common', hwdb: false }), '/usr/lib/modules');
  for (const kept of ['/usr/lib/python3.13/test/__init__.py', '/usr/lib/python3.13/pydoc_data/topics.py', '/usr/lib/python3/dist-packages/cloudinit/__init__.py']) {
    assert.equal(installed(rules, kept), true, kept);
  }
});

test('man: false installs no man page but keeps the section folders update-alternatives links into', () => {
  const rules = dpkgFilters(footprintSchema.parse({ man: false }), '/usr/lib/modules');
  assert.equal(installed(rules, '/usr/share/man/man1/ls.1.gz'), false);
  assert.equal(installed(rules, '/usr/share/man/de/man1/ls.1.gz'), false);
  assert.equal(installed(rules, '/usr/share/man/man1'), true, 'openjdk\'s postinst links java.1.gz here');
  assert.equal(installed(rules, '/usr/share/man/man8'), true);
  assert.equal(installed(rules, '/usr/share/man/de'), false);
  assert.equal(installed(rules, '/usr/share/info/dir'), false);
  assert.equal(installed(dpkgFilters(footprintSchema.parse({ man: true }), '/usr/lib/modules'), '/usr/share/man/man1/ls.1.gz'), true);
});
