import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

const ALLOWED_HOSTNAMES = new Set(['', 'localhost', 'localhost.localdomain']);

export const bootState: StaticCheck = {
  id: 'A7',
  title: 'no random seed, credential secret, build hostname or build resolv.conf',
  async run(ctx) {
    const findings = ['/var/lib/systemd/random-seed', '/var/lib/systemd/credential.secret']
      .filter((p) => ctx.index.has(p))
      .map((p) => found(p, 'per-machine secret baked into the image'));
    const hostname = (await ctx.fs.read('/etc/hostname'))?.trim();
    if (hostname !== undefined && !ALLOWED_HOSTNAMES.has(hostname)) {
      findings.push(found('/etc/hostname', `carries a build host name "${hostname}"`));
    }
    const resolv = await ctx.fs.resolve('/etc/resolv.conf');
    if (resolv && !resolv.startsWith('/run/')) {
      const text = (await ctx.fs.read(resolv)) ?? '';
      if (/^\s*(nameserver|search|domain)\s/m.test(text)) {
        findings.push(found('/etc/resolv.conf', "holds the build host's resolver configuration"));
      }
    }
    return findings;
  },
};
