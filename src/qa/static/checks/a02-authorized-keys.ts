import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const authorizedKeys: StaticCheck = {
  id: 'A2',
  title: 'no authorized_keys anywhere',
  run: (ctx) =>
    ctx.index
      .match(/\/authorized_keys[^/]*$/)
      .filter((e) => e.type !== 'dir')
      .map((e) => found(e.path, 'authorized_keys left in the image: grants login to whoever built it')),
};
