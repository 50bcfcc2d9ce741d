import { homedir } from 'node:os';
import { join } from 'node:path';

/** $HERD_CACHE, else $XDG_CACHE_HOME/herd, else ~/.cache/herd: kept between builds (packages, steps). */
export function defaultCacheDir(): string {
  return process.env.HERD_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'herd');
}
