import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const sshHostKeys: StaticCheck = {
  id: 'A1',
  title: 'no SSH host keys baked into the image',
  run: (ctx) =>
    ctx.index
      .match(/^\/etc\/ssh\/ssh_host_[^/]*key/)
      .map((e) => found(e.path, 'SSH host key in the image: every instance would share it')),
};
