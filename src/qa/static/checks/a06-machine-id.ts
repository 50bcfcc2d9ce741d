import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const machineId: StaticCheck = {
  id: 'A6',
  title: 'machine-id empty (generated at first boot)',
  async run(ctx) {
    const findings = [];
    const id = (await ctx.fs.read('/etc/machine-id'))?.trim();
    if (id === undefined) findings.push(found('/etc/machine-id', 'missing: systemd expects an empty file to mark first boot'));
    else if (id !== '' && id !== 'uninitialized') findings.push(found('/etc/machine-id', `holds a real id (${id.slice(0, 8)}…): every instance would share it`));
    const dbus = ctx.index.get('/var/lib/dbus/machine-id');
    if (dbus?.type === 'file' && dbus.size > 0) {
      findings.push(found(dbus.path, 'a real D-Bus machine id (should be absent or a symlink to /etc/machine-id)'));
    }
    return findings;
  },
};
