import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as text from './configure-files.ts';

const ssh = { 'password-authentication': false, 'permit-root-login': 'no', 'host-key-types': ['ed25519', 'ecdsa'] };

test('sshd policy: no passwords, no root, by default', () => {
  const c = text.sshdConfig(ssh);
  assert.match(c, /^PasswordAuthentication no$/m);
  assert.match(c, /^KbdInteractiveAuthentication no$/m);
  assert.match(c, /^PermitRootLogin no$/m);
  assert.match(text.sshdConfig({ ...ssh, 'password-authentication': true }), /^PasswordAuthentication yes$/m);
});

test('cloud-init: datasource list, C.UTF-8 locale, host key types, default user', () => {
  assert.equal(text.datasourceConfig(['NoCloud', 'None']).split('\n')[1], 'datasource_list: [ NoCloud, None ]');
  const c = text.cloudInitImageConfig({ datasources: [], defaultUser: 'debian', locale: 'C.UTF-8' }, ssh, ['networkd']);
  assert.match(c, /^locale: C\.UTF-8$/m);
  assert.match(c, /^ssh_genkeytypes: \[ed25519, ecdsa\]$/m);
  assert.match(c, /^ssh_pwauth: false$/m);
  assert.match(c, /^ {4}name: debian$/m);
  assert.match(c, /^system_info:\n(?: .*\n)* {2}network:\n {4}renderers: \[networkd\]$/m, 'renderers sit under system_info');
});

test('grub.cfg boots the /vmlinuz symlink with the root UUID on the serial console', () => {
  const g = text.grubConfig("base '1'", '6a1c5d0e-4b0a-4c2f-9a51-0d9c1f3e7b21');
  assert.match(g, /search --no-floppy --fs-uuid --set=root 6a1c5d0e/);
  assert.match(g, /linux \/vmlinuz root=UUID=6a1c5d0e-4b0a-4c2f-9a51-0d9c1f3e7b21 ro console=tty0 console=ttyS0,115200n8/);
  assert.match(g, /menuentry 'base 1'/, 'quotes in the title cannot break the menu entry');
});

test('os-release gets IMAGE_ID and IMAGE_VERSION, replacing old values', () => {
  const r = text.withImageFields('NAME="Debian"\nIMAGE_ID=old\n', 'base', '2026.11.24.0');
  assert.equal(r, 'NAME="Debian"\nIMAGE_ID=base\nIMAGE_VERSION=2026.11.24.0\n');
});

test('fstab mounts root by UUID and leaves the ESP out', () => {
  const f = text.fstab('abc');
  assert.match(f, /^UUID=abc \/ ext4 rw,discard,errors=remount-ro 0 1$/m);
  assert.doesNotMatch(f, /\/boot\/efi/);
});
