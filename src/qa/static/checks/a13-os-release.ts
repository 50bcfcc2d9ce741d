import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

export const osRelease: StaticCheck = {
  id: 'A13',
  title: 'os-release names the image (IMAGE_ID, IMAGE_VERSION)',
  async run(ctx) {
    const text = (await ctx.fs.read('/etc/os-release')) ?? (await ctx.fs.read('/usr/lib/os-release'));
    if (text === undefined) return [found('/etc/os-release', 'missing')];
    return ['IMAGE_ID', 'IMAGE_VERSION']
      .filter((key) => !new RegExp(`^${key}=\\S`, 'm').test(text))
      .map((key) => found('/etc/os-release', `${key} is not set: an instance cannot tell which image it came from`));
  },
};
