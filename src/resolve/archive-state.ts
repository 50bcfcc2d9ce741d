import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Recipe } from '../recipe/schema.ts';
import { gpgvVerifier, type InReleaseVerifier } from './inrelease-signature.ts';

/** The state of one archive suite at resolve time: what the rootfs step's cache id is pinned to. */
export interface SuiteState {
  uri: string;
  suite: string;
  date: string;
  epoch: number;
  inReleaseSha256: string;
}

export type Fetcher = (url: string) => Promise<string>;

export const httpFetch: Fetcher = async (url) => {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new AppError('archive.unreachable', `cannot reach ${url}: ${(e as Error).message}`, {
      kind: 'dependency', hint: 'check the archive URI in the recipe, or pass --lock FILE to reuse a previous resolution',
    });
  }
  if (!res.ok) {
    throw new AppError('archive.suite_missing', `${url} answered ${res.status}`, {
      kind: 'user', hint: 'check archive.sources[].suites in the recipe: the suite does not exist at that URI',
    });
  }
  return res.text();
};

/**
 * Reads each suite's InRelease and checks its signature against the archive keyring; only then does
 * its Date become SOURCE_DATE_EPOCH and its digest pin the package set.
 */
export async function resolveArchive(archive: NonNullable<Recipe['archive']>, fetcher: Fetcher = httpFetch,
  verify: InReleaseVerifier = gpgvVerifier): Promise<SuiteState[]> {
  const jobs = archive.sources.flatMap((s) => s.suites.map((suite) => ({ uri: s.uri.replace(/\/+$/, ''), suite })));
  return Promise.all(jobs.map(async ({ uri, suite }) => {
    const url = `${uri}/dists/${suite}/InRelease`;
    const text = await fetcher(url);
    const signed = await verify(text, archive.keyring, url);
    const date = /^Date:\s*(.+)$/m.exec(signed)?.[1]?.trim();
    const epoch = date ? Math.floor(Date.parse(date) / 1000) : NaN;
    if (!date || Number.isNaN(epoch)) {
      throw new AppError('archive.bad_release', `${url} has no valid Date field`, { kind: 'dependency', hint: 'is this a Debian archive?' });
    }
    return { uri, suite, date, epoch, inReleaseSha256: createHash('sha256').update(text).digest('hex') };
  }));
}
