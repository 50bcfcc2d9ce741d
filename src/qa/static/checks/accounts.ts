import type { StaticContext } from '../context.ts';

export interface ShadowEntry { name: string; password: string }
export interface PasswdEntry { name: string; password: string; uid: number; gid: number }
export interface GroupEntry { name: string; gid: number }

const rows = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(':'));

export async function readShadow(ctx: StaticContext): Promise<ShadowEntry[] | undefined> {
  const text = await ctx.fs.read('/etc/shadow');
  return text === undefined ? undefined : rows(text).map((f) => ({ name: f[0] ?? '', password: f[1] ?? '' }));
}

export async function readPasswd(ctx: StaticContext): Promise<PasswdEntry[]> {
  const text = (await ctx.fs.read('/etc/passwd')) ?? '';
  return rows(text).map((f) => ({ name: f[0] ?? '', password: f[1] ?? '', uid: Number(f[2]), gid: Number(f[3]) }));
}

export async function readGroup(ctx: StaticContext): Promise<GroupEntry[]> {
  const text = (await ctx.fs.read('/etc/group')) ?? '';
  return rows(text).map((f) => ({ name: f[0] ?? '', gid: Number(f[2]) }));
}

/** Values that occur more than once. */
export function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  return [...new Set(values.filter((v) => seen.has(v) || !seen.add(v)))];
}
