import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeSeedIso } from '../../backends/host/seed.ts';
import { runCommand } from '../../backends/host/run-command.ts';
import { mergeUserData, metaData, newIdentity, userData } from './seed-data.ts';

describe('NoCloud seed for a test instance', () => {
  const id = newIdentity('bios', 'ssh-ed25519 AAAAC3Nza test@herd');

  it('creates a locked test user with the launch key, the canary and the runcmd marker', () => {
    const text = userData(id);
    assert.ok(text.startsWith('#cloud-config\n'));
    const ud = parse(text) as Record<string, any>;
    assert.equal(ud.users[0].name, 'herdqa');
    assert.equal(ud.users[0].lock_passwd, true);
    assert.deepEqual(ud.users[0].ssh_authorized_keys, [id.publicKey]);
    assert.equal(ud.ssh_pwauth, false);
    assert.ok(ud.write_files.some((f: any) => f.content.includes(id.canary) && f.permissions === '0600'));
    assert.match(JSON.stringify(ud.runcmd), new RegExp(id.instanceId));
    assert.deepEqual(parse(metaData(id)), { 'instance-id': id.instanceId, 'local-hostname': 'herd-qa-bios' });
  });

  it('appends extra list entries and replaces scalars', () => {
    const ud = parse(userData(id, { runcmd: [['false']], ssh_pwauth: true })) as Record<string, any>;
    assert.equal(ud.runcmd.length, 2);
    assert.equal(ud.ssh_pwauth, true);
  });

  it("merges suite user-data and a test's extra user-data in order: lists append, scalars replace", () => {
    const suite = { write_files: [{ path: '/etc/a', content: 'a' }], packages: ['x'] };
    const extra = { write_files: [{ path: '/etc/b', content: 'b' }], packages: 'not-a-list', ssh_pwauth: true };
    const merged = mergeUserData(suite, extra);
    assert.deepEqual(merged.write_files, [{ path: '/etc/a', content: 'a' }, { path: '/etc/b', content: 'b' }]);
    assert.equal(merged.packages, 'not-a-list');
    assert.equal(merged.ssh_pwauth, true);
    assert.equal(suite.write_files.length, 1, 'the inputs are not changed');
    const ud = parse(userData(id, merged)) as Record<string, any>;
    assert.deepEqual(ud.write_files.map((f: any) => f.path).slice(-2), ['/etc/a', '/etc/b']);
    assert.equal(ud.write_files.length, 4, 'the harness files stay');
  });

  it('gives every instance its own id, canary and token', () => {
    const other = newIdentity('bios', id.publicKey);
    assert.notEqual(other.instanceId, id.instanceId);
    assert.notEqual(other.canary, id.canary);
  });

  it('writes an ISO labelled cidata holding user-data and meta-data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herd-seed-'));
    try {
      const iso = await makeSeedIso(dir, { userData: userData(id), metaData: metaData(id) });
      const ls = await runCommand(['xorriso', '-indev', iso, '-pvd_info', '-find', '/', '-type', 'f'], { allowFailure: true });
      const out = ls.stdout + ls.stderr;
      assert.match(out, /Volume Id\s*:\s*cidata/i);
      assert.match(out, /user-data/);
      assert.match(out, /meta-data/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
