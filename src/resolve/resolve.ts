import { AppError } from '../errors.ts';
import { distributions, releaseOf } from '../catalog/distributions.ts';
import type { LoadedRecipe } from '../recipe/load.ts';
import { resolveArchive, type Fetcher } from './archive-state.ts';
import type { InReleaseVerifier } from './inrelease-signature.ts';
import { readLock, type ResolvedFile } from './lock-file.ts';

/**
 * Everything outside the recipe that the build depends on, pinned: the plan is a pure function of this.
 * `packages` is set when it comes from a lock: then the build installs exactly those files.
 */
export type Resolved = ResolvedFile;

export interface ResolveOptions {
  fetcher?: Fetcher;
  verifier?: InReleaseVerifier;
  /** A resolved.json from an earlier build: rebuild the same archive state and package set without asking the network. */
  lockFile?: string;
  imageVersion?: string;
}

export async function resolveInputs(loaded: LoadedRecipe, opts: ResolveOptions = {}): Promise<Resolved> {
  const r = loaded.recipe;
  const codename = releaseOf(r.distribution)!.codename;
  // the recipe's archive even under a lock: a locked build may fetch its files from another mirror (snapshot.debian.org)
  const archive = r.archive ?? distributions[r.distribution.name].defaultArchive(codename);
  const lock = opts.lockFile ? readLock(opts.lockFile) : undefined;
  if (lock && lock.codename !== codename) {
    throw new AppError('lock.recipe_mismatch', `lock file ${opts.lockFile} is for ${lock.codename}, the recipe builds ${codename}`, {
      hint: 'use the resolved.json of a build of this recipe, or build without --lock',
    });
  }
  const suites = lock ? lock.suites : await resolveArchive(archive, opts.fetcher, opts.verifier);
  const sourceDateEpoch = r['source-date-epoch'] ?? lock?.sourceDateEpoch ?? Math.max(...suites.map((s) => s.epoch));
  const imageVersion = opts.imageVersion ?? r.version ?? versionFromEpoch(sourceDateEpoch);
  return { schemaVersion: 2, codename, archive, suites, sourceDateEpoch, imageVersion, ...(lock ? { packages: lock.packages } : {}) };
}

/** 2026.11.24.0: the archive's date, so two builds of the same archive state get the same version. */
export function versionFromEpoch(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}.0`;
}
