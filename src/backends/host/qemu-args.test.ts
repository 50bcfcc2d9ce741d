import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { qemuArgs, type QemuVmSpec } from './qemu-args.ts';

const spec: QemuVmSpec = {
  disk: '/w/overlay.qcow2', diskFormat: 'qcow2', seedIso: '/w/seed.iso', firmware: 'bios', accel: 'tcg',
  sshPort: 40222, serialLog: '/o/serial.log', pidFile: '/w/qemu.pid',
};

describe('qemuArgs', () => {
  it('uses exactly the restricted user network with SSH on loopback', () => {
    const args = qemuArgs(spec);
    const nics = args.flatMap((a, i) => (a === '-nic' ? [args[i + 1]] : []));
    assert.deepEqual(nics, ['user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:40222-:22']);
    assert.ok(!args.includes('-netdev') && !args.includes('-net'));
  });

  it('runs TCG multi-threaded without KVM and host CPU with KVM', () => {
    assert.deepEqual(pair(qemuArgs(spec), '-accel'), 'tcg,thread=multi');
    assert.deepEqual(pair(qemuArgs({ ...spec, accel: 'kvm' }), '-cpu'), 'host');
  });

  it('adds OVMF pflash only for UEFI, with the code read-only', () => {
    assert.ok(!qemuArgs(spec).some((a) => a.includes('pflash')));
    const uefi = qemuArgs({ ...spec, firmware: 'uefi', ovmfCode: '/c.fd', ovmfVars: '/w/v.fd' });
    assert.ok(uefi.includes('if=pflash,format=raw,unit=0,readonly=on,file=/c.fd'));
    assert.ok(uefi.includes('if=pflash,format=raw,unit=1,file=/w/v.fd'));
    assert.throws(() => qemuArgs({ ...spec, firmware: 'uefi' }), /ovmf/i);
  });

  it('attaches the disk, the seed read-only, the serial log and the pidfile', () => {
    const args = qemuArgs(spec);
    assert.ok(args.includes('file=/w/overlay.qcow2,if=virtio,format=qcow2,discard=unmap'));
    assert.ok(args.includes('file=/w/seed.iso,if=virtio,format=raw,readonly=on'));
    assert.equal(pair(args, '-serial'), 'file:/o/serial.log');
    assert.equal(pair(args, '-pidfile'), '/w/qemu.pid');
  });
});

const pair = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
