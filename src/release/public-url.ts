import { AppError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { getSetting, PUBLIC_URL_SETTING, setSetting } from '../store/settings.ts';

/** Wildcard bind addresses: fine to listen on, never a place a client can download from. */
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

export function isWildcardHost(host: string): boolean {
  return WILDCARD.has(host.toLowerCase());
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Refuses a public URL clients could not use: not http(s), or naming a wildcard address. */
export function checkPublicUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined as never;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || /\s/.test(url)) {
    throw new AppError('cli.bad_public_url', `--public-url ${url} is not an http(s) URL`, { hint: 'e.g. --public-url https://images.example.org' });
  }
  if (isWildcardHost(parsed.hostname)) {
    throw new AppError('cli.bad_public_url', `--public-url ${url} names a wildcard address, which no client can download from`, {
      hint: 'name the host clients reach, e.g. --public-url https://images.example.org',
    });
  }
  return url.replace(/\/+$/, '');
}

export async function storedPublicUrl(store: Database): Promise<string | undefined> {
  return getSetting(store.db, PUBLIC_URL_SETTING);
}

/**
 * The public URL is configured once and kept in the database, so every later serve, worker and publish
 * writes the same links. Returns true when this changed the stored value (the command then says so).
 */
export async function storePublicUrl(store: Database, url: string): Promise<boolean> {
  const clean = checkPublicUrl(url);
  if ((await storedPublicUrl(store)) === clean) return false;
  await setSetting(store.db, PUBLIC_URL_SETTING, clean);
  return true;
}
