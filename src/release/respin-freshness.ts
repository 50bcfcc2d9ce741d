import { formatError } from '../errors.ts';
import type { InReleaseVerifier } from '../resolve/inrelease-signature.ts';
import type { BytesFetcher } from '../resolve/suite-index.ts';
import { type InstalledRef, pendingUpdates } from './pending-updates.ts';
import { recipeSuites } from './product-updates.ts';
import type { ReleaseServices } from './services.ts';

/** Whether a respin's image is current against the archive as it is after the build (issue #11). */
export interface Freshness {
  /** No security update is pending for the image's packages (and the archive could be read). */
  fresh: boolean;
  checkedAt: string;
  /** Security updates the archive offers for the image's packages now: published while the build ran. */
  pendingSecurity: Array<{ name: string; arch: string; installed: string; candidate: string }>;
  /** Every pending update, security or not. */
  pending: number;
  why: string;
}

/**
 * A fresh instance of a just-respun image has no pending security updates: the image's exact package set (its
 * manifest) against every suite of its recipe's archive, read again after the build. A security update that
 * came out while the respin built leaves the release in testing (it is published, and better than the one
 * before it); the policy respins again on its next pass, since a security update is pending. An archive that
 * cannot be read is not "fresh": nothing unverified is promoted.
 */
export async function respinFreshness(svc: Pick<ReleaseServices, 'recipesDir'>, recipeId: string, packages: InstalledRef[],
  o: { fetchBytes?: BytesFetcher; verify?: InReleaseVerifier; now?: Date } = {}): Promise<Freshness> {
  const checkedAt = (o.now ?? new Date()).toISOString();
  let pending;
  try {
    pending = pendingUpdates(packages, await recipeSuites(svc, recipeId, o));
  } catch (e) {
    return { fresh: false, checkedAt, pendingSecurity: [], pending: 0, why: `the archive could not be read after the build: ${formatError(e)}` };
  }
  const pendingSecurity = pending.filter((u) => u.security).map(({ name, arch, installed, candidate }) => ({ name, arch, installed, candidate }));
  const why = pendingSecurity.length
    ? `${pendingSecurity.length} security update${pendingSecurity.length === 1 ? '' : 's'} came out while it built (${pendingSecurity.map((u) => `${u.name} ${u.candidate}`).join(', ')}); the next respin picks ${pendingSecurity.length === 1 ? 'it' : 'them'} up`
    : `no security update pending against the archive now${pending.length ? ` (${pending.length} other update${pending.length === 1 ? '' : 's'})` : ''}`;
  return { fresh: pendingSecurity.length === 0, checkedAt, pendingSecurity, pending: pending.length, why };
}
