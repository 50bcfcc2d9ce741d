import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { renderUserData, sshKeyProblem, validateUserData, type UserDataInput } from '../../web/src/lib/user-data.ts';

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPT4BxHa5E7li6nzSpC9PIpjHGzmVngwIy3atYI62CRB alice@laptop';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKMUpRgH5n/ER4HEhMQyHXg2UP5bX0agY8I5vOwBrYhlWllizQuQP9fF1rZ3IpLLRhd46AmGDMJThJLTnw5avB4=';
const good: UserDataInput = { userName: 'alice', sshKeys: `${ED25519}\n\n${ECDSA}\n`, sudo: true, packages: 'htop, nginx\nlibapache2-mod-php8.2 g++', commands: 'systemctl enable --now nginx' };

describe('user-data helper', () => {
  test('a valid input renders #cloud-config that parses back to exactly what was asked', () => {
    assert.deepEqual(validateUserData(good), []);
    const text = renderUserData({ ...good, image: { title: 'Debian 13 base', version: '2026.11.08.0' } });
    assert.match(text, /^#cloud-config\n# for Debian 13 base 2026\.11\.08\.0\n/);
    assert.deepEqual(parse(text), {
      users: ['default', { name: 'alice', shell: '/bin/bash', lock_passwd: true, groups: ['sudo'], sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: [ED25519, ECDSA] }],
      package_update: true,
      packages: ['htop', 'nginx', 'libapache2-mod-php8.2', 'g++'],
      runcmd: ['systemctl enable --now nginx'],
    });
  });

  test('without sudo, packages or commands those keys are left out', () => {
    const doc = parse(renderUserData({ ...good, sudo: false, packages: '', commands: '  \n' }));
    assert.deepEqual(Object.keys(doc), ['users']);
    assert.equal(doc.users[1].sudo, undefined);
  });

  test('every field\'s problems at once, each naming its field', () => {
    const errors = validateUserData({ userName: 'Root!', sshKeys: '-----BEGIN OPENSSH PRIVATE KEY-----', sudo: true, packages: 'ok Bad_Name x', commands: 'echo \u0007' });
    assert.deepEqual(errors.map((e) => e.field), ['userName', 'sshKeys', 'packages', 'packages', 'commands']);
    assert.deepEqual(errors.map((e) => e.label), ['User name', 'SSH public keys', 'Packages', 'Packages', 'Commands to run at first boot']);
    assert.match(errors[1]!.message, /does not start with a key type/);
    assert.match(errors[2]!.message, /"Bad_Name" is not a Debian package name/);
    assert.match(errors[3]!.message, /"x"/);
    assert.deepEqual(validateUserData({ ...good, userName: '', sshKeys: '' }).map((e) => e.message), ['is required', 'at least one key is required: the images allow SSH with keys only']);
    assert.match(validateUserData({ ...good, userName: 'root' })[0]!.message, /system account/);
  });

  test('a key under the wrong type, with broken base64 or cut short is refused', () => {
    assert.equal(sshKeyProblem(ED25519), undefined);
    assert.equal(sshKeyProblem(ECDSA), undefined);
    assert.match(sshKeyProblem(ED25519.replace('ssh-ed25519', 'ssh-rsa'))!, /not a ssh-rsa key/);
    assert.match(sshKeyProblem('ssh-ed25519 AAAA$$$$')!, /not followed by base64/);
    assert.match(sshKeyProblem('ssh-ed25519 AAAAC3NzaC1lZDI1')!, /not a ssh-ed25519 key/);
    assert.match(sshKeyProblem('ssh-ed25519')!, /not followed by base64/);
  });

  test('hostile text cannot add YAML keys or documents: it stays one string where it was typed', () => {
    const commands = ['echo "x"\n', 'users: [{name: root}]', '- rm -rf / #', '--- !!python/object:os.system', "'; :{}[]&*|>%@`"].join('\n');
    const doc = parse(renderUserData({ ...good, packages: '', commands, image: { title: 'T\nruncmd: [evil]', version: '1' } }));
    assert.deepEqual(doc.runcmd, ['echo "x"', 'users: [{name: root}]', '- rm -rf / #', '--- !!python/object:os.system', "'; :{}[]&*|>%@`"]);
    assert.deepEqual(Object.keys(doc), ['users', 'runcmd']);
    assert.equal(doc.users.length, 2);
    // a second line smuggled into a key is a line of its own, and not a key
    assert.deepEqual(validateUserData({ ...good, sshKeys: `${ED25519}\nruncmd: [evil]` }).map((e) => e.field), ['sshKeys']);
    assert.deepEqual(validateUserData({ ...good, userName: 'bob\nsudo: ALL' }).map((e) => e.field), ['userName']);
  });
});
