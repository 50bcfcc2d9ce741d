import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const cloudInitState: StaticCheck = {
  id: 'A8',
  title: 'no cloud-init state or logs from the build',
  run(ctx) {
    const instance = ctx.index.get('/var/lib/cloud/instance');
    const state = ['/var/lib/cloud/instances', '/var/lib/cloud/data', '/var/lib/cloud/sem']
      .flatMap((d) => ctx.index.under(d))
      .filter((e) => e.type !== 'dir');
    const logs = ctx.index.children('/var/log').filter((e) => /\/cloud-init[^/]*$/.test(e.path));
    return [
      ...(instance ? [found(instance.path, 'cloud-init instance link from a previous boot')] : []),
      ...state.map((e) => found(e.path, 'cloud-init state: the image would not run first-boot setup')),
      ...logs.map((e) => found(e.path, 'cloud-init log from the build')),
    ];
  },
};
