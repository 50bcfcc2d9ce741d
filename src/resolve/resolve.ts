import { readFileSync } from 'node:fs';
import { AppError } from '../errors.ts';
import { distributions, releaseOf } from '../catalog/distributions.ts';
import type { LoadedRecipe } from '../recipe/load.ts';
import type { Recipe } from '../recipe/schema.ts';
import { resolveArchive, type Fetcher, type SuiteState } from './archive-state.ts';

/** Everything outside the recipe that the build depends on, pinned: the plan is a pure function of this. */
export interface Resolved {
  schemaVersion: 1;
  codename: string;
  archive: NonNullable<Recipe['archive']>;
  suites: SuiteState[];
  sourceDateEpoch: number;
  imageVersion: string;
}

export interface ResolveOptions {
  fetcher?: Fetcher;
  /** A resolved.json from an earlier build: rebuild against the same archive state without asking the network. */
  lockFile?: string;
  imageVersion?: string;
}

export async function resolveInputs(loaded: LoadedRecipe, opts: ResolveOptions = {}): Promise<Resolved> {
  const r = loaded.recipe;
  const codename = releaseOf(r.distribution)!.codename;
  const archive = r.archive ?? distributions[r.distribution.name].defaultArchive(codename);
  const suites = opts.lockFile ? readLock(opts.lockFile).suites : await resolveArchive(archive, opts.fetcher);
  const sourceDateEpoch = r['source-date-epoch'] ?? Math.max(...suites.map((s) => s.epoch));
  const imageVersion = opts.imageVersion ?? r.version ?? versionFromEpoch(sourceDateEpoch);
  return { schemaVersion: 1, codename, archive, suites, sourceDateEpoch, imageVersion };
}

/** 2026.11.24.0: the archive's date, so two builds of the same archive state get the same version. */
export function versionFromEpoch(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}.0`;
}

function readLock(file: string): Resolved {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Resolved;
    if (v.schemaVersion !== 1 || !Array.isArray(v.suites)) throw new Error('not a resolved.json of schema version 1');
    return v;
  } catch (e) {
    throw new AppError('lock.invalid', `cannot use lock file ${file}: ${(e as Error).message}`, {
      hint: 'pass the resolved.json written next to an earlier build\'s manifest.json',
    });
  }
}
