import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const buildLeftovers: StaticCheck = {
  id: 'A9',
  title: 'no package lists, caches, logs or temporary files from the build',
  run(ctx) {
    const files = (dir: string) => ctx.index.under(dir).filter((e) => e.type === 'file');
    const lists = files('/var/lib/apt/lists').filter((e) => !/\/lock$/.test(e.path));
    const caches = [...files('/var/cache/apt'), ...files('/var/cache/dnf')].filter((e) => !/\/lock$/.test(e.path));
    const logs = files('/var/log').filter((e) => e.size > 0);
    const tmp = [...ctx.index.children('/tmp'), ...ctx.index.children('/var/tmp')];
    return [
      ...lists.map((e) => found(e.path, 'package index left behind (stale and large)')),
      ...caches.map((e) => found(e.path, 'package cache left behind')),
      ...logs.map((e) => found(e.path, 'log written during the build')),
      ...tmp.map((e) => found(e.path, 'temporary file left behind')),
    ];
  },
};
