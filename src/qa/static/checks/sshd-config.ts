import { posix } from 'node:path';
import type { StaticContext } from '../context.ts';

/** sshd's own defaults for the keywords QA cares about (OpenSSH 9). */
const DEFAULTS: Record<string, string> = {
  passwordauthentication: 'yes',
  kbdinteractiveauthentication: 'yes',
  permitrootlogin: 'prohibit-password',
  permitemptypasswords: 'no',
};

export interface SshdSetting { value: string; path: string }

/**
 * Effective global sshd settings read the way sshd reads them: Include expanded in place (globs in
 * lexical order), the first value of a keyword wins, and Match blocks do not change global values.
 */
export async function effectiveSshd(ctx: StaticContext): Promise<Record<string, SshdSetting>> {
  const settings: Record<string, SshdSetting> = {};
  await readInto(ctx, '/etc/ssh/sshd_config', settings, 0);
  for (const [k, v] of Object.entries(DEFAULTS)) settings[k] ??= { value: v, path: '(sshd default)' };
  return settings;
}

async function readInto(ctx: StaticContext, path: string, settings: Record<string, SshdSetting>, depth: number) {
  const text = await ctx.fs.read(path);
  if (text === undefined || depth > 8) return;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^(\S+)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'match') return;
    if (key === 'include') {
      for (const pattern of m[2]!.split(/\s+/)) {
        for (const file of expand(ctx, posix.resolve('/etc/ssh', pattern))) await readInto(ctx, file, settings, depth + 1);
      }
      continue;
    }
    settings[key] ??= { value: m[2]!.trim().toLowerCase(), path };
  }
}

function expand(ctx: StaticContext, pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return [pattern];
  const dir = posix.dirname(pattern);
  const re = new RegExp(`^${posix.basename(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return ctx.index.children(dir).filter((e) => re.test(posix.basename(e.path))).map((e) => e.path);
}
