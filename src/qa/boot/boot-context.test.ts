import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootContext } from './run-boot-tests.ts';
import { serverReboot } from './checks/s02-server-reboot.ts';
import { newIdentity } from './seed-data.ts';
import type { Instance } from './instance.ts';

/** A fake instance whose shell answers the S2 probe from a boot counter that its reboot() advances. */
function fakeInstance() {
  let boot = 1;
  const calls: string[] = [];
  const inst = {
    identity: newIdentity('bios', 'ssh-ed25519 AAAA test'),
    target: { port: 1, user: 'herdqa', key: { privateKeyPath: '/dev/null', publicKey: '' } },
    cloudInitStatus: { code: 0, text: 'status: done' },
    options: { growBytes: 0 },
    async sh(cmd: string) {
      calls.push(cmd);
      const status = boot === 1 ? 'status: done' : 'status: disabled';
      return { code: 0, stdout: `boot=b${boot}\nhost=h\nstatic=h\nruns=1\nstatus=${status}\naddr=inet 10.0.2.15/24\nroute=default via 10.0.2.2\n`, stderr: '' };
    },
    async reboot() { boot += 1; calls.push('reboot'); },
  } as unknown as Instance;
  return { inst, calls };
}

test('the boot context hands checks the instance reboot, and S2 sees the new boot', async () => {
  const { inst, calls } = fakeInstance();
  const ctx = bootContext(inst, { image: 'x', format: 'qcow2', virtualSize: 0, rootPartitionBytes: 0, firmware: 'bios', outDir: '/tmp' }, { tcpPorts: [22], udpProcesses: /x/ });
  assert.equal(typeof ctx.reboot, 'function');
  assert.deepEqual(await serverReboot.run(ctx), []);
  assert.deepEqual(calls.filter((c) => c === 'reboot'), ['reboot']);
});

test('S2 skips where the context cannot reboot, and fails when the reboot did not happen', async () => {
  const { inst } = fakeInstance();
  const ctx = bootContext(inst, { image: 'x', format: 'qcow2', virtualSize: 0, rootPartitionBytes: 0, firmware: 'bios', outDir: '/tmp' }, { tcpPorts: [22], udpProcesses: /x/ });
  assert.deepEqual(await serverReboot.run({ ...ctx, reboot: undefined }), { skip: 'this context cannot reboot the guest' });
  const f = await serverReboot.run({ ...ctx, reboot: async () => {} });
  assert.ok(Array.isArray(f) && f.some((x) => /did not actually reboot/.test(x.message)));
});
