import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import { readShadow } from './accounts.ts';

export const rootLocked: StaticCheck = {
  id: 'A4',
  title: 'root account locked',
  async run(ctx) {
    const shadow = await readShadow(ctx);
    if (!shadow) return [found('/etc/shadow', '/etc/shadow is missing')];
    const root = shadow.find((u) => u.name === 'root');
    if (!root) return [found('/etc/shadow', 'no root entry in /etc/shadow')];
    return root.password.startsWith('!') || root.password.startsWith('*')
      ? []
      : [found('/etc/shadow', 'root has a usable password (field does not start with ! or *)')];
  },
};
