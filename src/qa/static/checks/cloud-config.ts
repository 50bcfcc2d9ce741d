import { parse } from 'yaml';
import type { StaticContext } from '../context.ts';
import { filesIn } from '../context.ts';

export interface CloudConfigFile { path: string; data: Record<string, unknown> | undefined; error?: string }

/** cloud.cfg then cloud.cfg.d/*.cfg in lexical order, as cloud-init reads them. */
export async function readCloudConfig(ctx: StaticContext): Promise<CloudConfigFile[]> {
  const paths = ['/etc/cloud/cloud.cfg', ...filesIn(ctx, '/etc/cloud/cloud.cfg.d', /\.cfg$/).sort()];
  const out: CloudConfigFile[] = [];
  for (const path of paths) {
    const text = await ctx.fs.read(path);
    if (text === undefined) continue;
    try {
      const data = parse(text) as unknown;
      out.push({ path, data: data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined });
    } catch (e) {
      out.push({ path, data: undefined, error: (e as Error).message.split('\n')[0] });
    }
  }
  return out;
}

/** Top-level keys: a later file replaces an earlier one's value (cloud-init's default merge for these keys). */
export function mergedCloudConfig(files: CloudConfigFile[]): Record<string, { value: unknown; path: string }> {
  const merged: Record<string, { value: unknown; path: string }> = {};
  for (const f of files) for (const [k, v] of Object.entries(f.data ?? {})) merged[k] = { value: v, path: f.path };
  return merged;
}

export const isTrue = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v));
export const isFalse = (v: unknown) => v === false || (typeof v === 'string' && /^(false|no|off|0)$/i.test(v));
