import { debArch, distributions, releaseOf } from '../catalog/distributions.ts';
import { AppError } from '../errors.ts';
import { loadRecipe } from '../recipe/load.ts';
import type { InReleaseVerifier } from '../resolve/inrelease-signature.ts';
import { type BytesFetcher, readSuitePackages, type SuitePackages } from '../resolve/suite-index.ts';
import { getProduct } from '../store/products.ts';
import { listReleases } from '../store/releases.ts';
import { resolveCatalogueRecipe } from './catalogue.ts';
import { type PendingUpdate, pendingUpdates } from './pending-updates.ts';
import { type UpdateChanges, updateChangelogs } from './update-changelogs.ts';
import type { ReleaseServices } from './services.ts';

export interface ProductUpdates {
  product: string;
  /** The catalogue recipe the product builds. */
  recipe: string;
  /** The release compared: the newest published one that is not revoked. */
  release: { id: string; version: string; channel: string; createdAt: string };
  /** Each suite read, with its signed date: what "now" means for this answer. */
  suites: Array<{ uri: string; suite: string; date: string }>;
  /** With `changelogs`, each update's changelog entries and the CVE ids they name (read from the new .deb). */
  updates: Array<PendingUpdate & { changes?: UpdateChanges }>;
  summary: { total: number; security: number; firstBoot: number };
}

/**
 * Every suite of the archive a catalogue recipe builds from (for Debian: the release, -updates and -security), as
 * the archive is now: each InRelease checked with gpgv against the recipe's keyring, each index by its signed digest.
 */
export async function recipeSuites(svc: Pick<ReleaseServices, 'recipesDir'>, recipeId: string, o: { fetchBytes?: BytesFetcher; verify?: InReleaseVerifier } = {}): Promise<SuitePackages[]> {
  const { recipe } = loadRecipe(await resolveCatalogueRecipe(svc.recipesDir, recipeId));
  const archive = recipe.archive ?? distributions[recipe.distribution.name].defaultArchive(releaseOf(recipe.distribution)!.codename);
  const jobs = archive.sources.flatMap((s) => s.suites.map((suite) => ({ uri: s.uri, suite, components: s.components })));
  return Promise.all(jobs.map((j) => readSuitePackages({ ...j, architecture: debArch(recipe.architecture), keyring: archive.keyring }, o.fetchBytes, o.verify)));
}

/**
 * `herd updates PRODUCT`: the newest release's exact package set (its manifest, the ground truth) against what
 * the archive the product's recipe builds from offers now (every source and suite, the security suite among
 * them), as apt would upgrade it. The first half of a respin decision (issue #11): a security update or a
 * first-boot package in the list is a reason to respin at once.
 */
export async function productUpdates(svc: ReleaseServices, productId: string, o: { fetchBytes?: BytesFetcher; verify?: InReleaseVerifier; changelogs?: boolean } = {}): Promise<ProductUpdates> {
  const release = (await listReleases(svc.store.db, { productId, state: 'published' })).find((r) => !r.revokedAt);
  if (!release) {
    throw new AppError('updates.no_release', `product ${productId} has no published release to compare`, {
      kind: 'not_found', hint: 'publish one first (herd build --publish, or herd publish DIR); list them with herd releases list',
    });
  }
  // the product's own catalogue recipe (a product registered over the API may build a recipe of another id)
  const recipeId = (await getProduct(svc.store.db, productId))?.recipePath ?? productId;
  const suites = await recipeSuites(svc, recipeId, o);
  const pending = pendingUpdates(release.packages, suites);
  const changes = o.changelogs ? await updateChangelogs(pending, o.fetchBytes) : undefined;
  const updates = changes ? pending.map((u) => ({ ...u, changes: changes.get(`${u.name} ${u.arch}`) })) : pending;
  return {
    product: productId,
    recipe: recipeId,
    release: { id: release.id, version: release.version, channel: release.channel, createdAt: release.createdAt },
    suites: suites.map((s) => ({ uri: s.uri, suite: s.suite, date: s.date })),
    updates,
    summary: { total: updates.length, security: updates.filter((u) => u.security).length, firstBoot: updates.filter((u) => u.firstBoot).length },
  };
}
