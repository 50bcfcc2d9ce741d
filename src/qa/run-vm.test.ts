import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVm } from './run-vm.ts';

const scratch = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('herd-run-vm-')).length;

describe('herd run refuses bad input before booting anything', () => {
  it('a missing key file', async () => {
    const before = await scratch();
    await assert.rejects(runVm({ image: '/nonexistent.raw', firmware: 'bios', publicKeyFile: '/nonexistent.pub', log: () => {} }),
      (e: any) => e.code === 'run.no_key' && /ssh-keygen/.test(e.hint));
    assert.equal(await scratch(), before);
  });

  it('a private key passed instead of the public one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herd-key-'));
    try {
      await writeFile(join(dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n');
      await assert.rejects(runVm({ image: '/nonexistent.raw', firmware: 'bios', publicKeyFile: join(dir, 'id'), log: () => {} }),
        (e: any) => e.code === 'run.bad_key' && /\.pub/.test(e.hint));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an image that does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herd-key-'));
    try {
      await writeFile(join(dir, 'id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@host\n');
      await assert.rejects(runVm({ image: join(dir, 'missing.raw'), firmware: 'bios', publicKeyFile: join(dir, 'id.pub'), log: () => {} }),
        (e: any) => e.code === 'qa.image_not_found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
