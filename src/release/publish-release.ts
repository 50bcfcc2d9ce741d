import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppError } from '../errors.ts';
import { addArtifact } from '../store/artifacts.ts';
import { ensureProduct } from '../store/products.ts';
import {
  type Channel, claimUnpublishedRelease, createPendingRelease, deleteUnpublishedRelease, findRelease, listReleases, markReleasePublished, type Release, touchRelease,
} from '../store/releases.ts';
import { checkVersion, nextVersion, VERSION } from '../store/versions.ts';
import { type BuildOutput, readBuildOutput } from './build-output.ts';
import { putReleaseChangelog } from '../store/release-changelogs.ts';
import { lockedDebFiles, noDebFiles } from './deb-files.ts';
import { type ChangelogSummary, type ReleaseChangelog, releaseChangelog } from './release-changelog.ts';
import { republish } from './republish.ts';
import type { ReleaseServices } from './services.ts';

export interface PublishOptions {
  channel?: Channel;
  /** Defaults to the manifest's name. */
  product?: string;
  /** Defaults to the manifest's version (or the next free one that day), else today's next YYYY.MM.DD.N. */
  version?: string;
  /** Publish a build with no QA record (local experiments): the release is marked untested everywhere. */
  allowUntested?: boolean;
  /**
   * Who is publishing: a job passes `job:<id>` so its retries may take over the pending release an
   * interrupted attempt left; by default every call is its own attempt.
   */
  owner?: string;
  onProgress?: (message: string) => void;
  /** Called once the version is fixed, before anything is stored: a job records it so its retries reuse it. */
  onVersion?: (version: string) => Promise<void>;
}

/** A pending release whose attempt sent no heartbeat for this long is stale: gc (and a new attempt) may remove it. */
export const STALE_PENDING_MS = 10 * 60_000;
const HEARTBEAT_MS = 10_000;

/**
 * Build output folder → published release. Order matters: verify the files, record each artifact, store
 * it under a key of this attempt alone and check what landed, sign it, and only then mark the release
 * published and republish the feeds in one transaction. Any failure removes what this attempt stored,
 * and nothing of any other attempt's; the feeds never mention the release.
 */
export async function publishRelease(svc: ReleaseServices, dir: string, options: PublishOptions = {}): Promise<Release> {
  const progress = options.onProgress ?? (() => {});
  const owner = options.owner ?? `cli:${hostname()}:${process.pid}:${randomUUID()}`;
  const out = await readBuildOutput(dir, { allowUntested: options.allowUntested });
  try {
    progress(`verified ${out.outputs.length} file(s) in ${out.dir}${out.untested ? ' (untested: no QA record)' : ''}`);
    const signer = await svc.signer();
    const productId = options.product ?? out.name;
    await ensureProduct(svc.store.db, productId);
    // read before the pending release exists: it may download .debs for minutes, and a failure leaves nothing behind
    const changelog = await changelogOf(svc, productId, out, progress);
    const version = await chooseVersion(svc, productId, owner, options.version, out.version);
    await options.onVersion?.(version);
    const release = await createPendingRelease(svc.store.db, {
      productId, version, channel: options.channel ?? 'testing', recipeDigest: out.recipeDigest, packages: out.packages,
      owner, untested: out.untested, qaRecord: out.qa?.record, qaReport: out.qa?.report, sizeReport: out.sizeReport,
    });
    const stored: string[] = [];
    const heartbeat = setInterval(() => void touchRelease(svc.store.db, release.id, owner).catch(() => {}), HEARTBEAT_MS);
    heartbeat.unref();
    try {
      await putReleaseChangelog(svc.store.db, release.id, changelog);
      await storeArtifacts(svc, out, release, owner, stored, progress);
      const published = await republish(svc.store, signer, svc.feed, (tx) => markReleasePublished(tx, release.id, owner));
      if (!published) {
        throw new AppError('publish.lost_release', `release ${productId} ${version} was taken over while this publish ran (stale, or removed by gc)`, {
          kind: 'conflict', hint: 'publish again',
        });
      }
      progress(`published ${productId} ${version} to ${release.channel}${out.untested ? ' (untested)' : ''}`);
      return { ...release, state: 'published' };
    } catch (e) {
      clearInterval(heartbeat);
      await discard(svc, release.id, owner, stored);
      throw e;
    } finally {
      clearInterval(heartbeat);
    }
  } finally {
    await out.close();
  }
}

/**
 * The release's changelog against the product's newest published release that is not revoked (what users
 * upgrade from), with each upgrade's entries read from the .debs the build installed: from the package cache
 * the build filled, else from the archive its lock names. Never fails the publication: a changelog that
 * cannot be read says why, per package.
 */
async function changelogOf(svc: ReleaseServices, productId: string, out: BuildOutput, progress: (m: string) => void): Promise<{ againstId?: string; summary: ChangelogSummary; changelog: ReleaseChangelog }> {
  const previous = (await listReleases(svc.store.db, { productId, state: 'published' })).find((r) => !r.revokedAt);
  const debs = 'problem' in out.lock ? noDebFiles(out.lock.problem) : lockedDebFiles({ locked: out.lock.packages, mirrors: out.lock.mirrors });
  const changelog = await releaseChangelog(previous, out.packages.map((p) => ({ ...p, ...(out.sources.has(p.name) ? { source: out.sources.get(p.name) } : {}) })), debs);
  const s = changelog.summary;
  progress(previous
    ? `changes since ${previous.version}: ${s.upgraded} upgraded (${s.security} from a security suite, ${s.cves.length} CVE ids), ${s.added} added, ${s.removed} removed`
    : 'first release of the product: no changelog to compare');
  return { againstId: previous?.id, summary: s, changelog };
}

/**
 * Artifact keys name the release id, so two attempts at one version never write (or delete) the same
 * object. Each row is recorded before its object is stored, so gc knows every key a killed attempt may
 * have left behind.
 */
export function artifactKey(release: Pick<Release, 'id' | 'productId' | 'version'>, arch: string, file: string): string {
  return `${release.productId}/${release.version}/${arch}/${release.id}/${file}`;
}

async function storeArtifacts(svc: ReleaseServices, out: BuildOutput, release: Release, owner: string, stored: string[], progress: (m: string) => void) {
  const signer = await svc.signer();
  for (const o of out.outputs) {
    const key = artifactKey(release, out.architecture, o.file);
    await addArtifact(svc.store.db, {
      releaseId: release.id, arch: out.architecture, format: o.format, fileName: o.file, location: key,
      size: o.size, sha256: o.sha256, uncompressedSha256: o.uncompressedSha256 ?? null, signature: `${key}.asc`,
    });
    stored.push(key);
    const put = await svc.artifacts.put(key, o.source.stream());
    if (put.sha256 !== o.sha256 || put.size !== o.size) {
      throw new AppError('publish.stored_corrupt', `the artifact store does not hold the ${o.size} bytes with sha256 ${o.sha256} sent for ${key}`, {
        kind: 'dependency', hint: 'the file changed while it was read, or the artifact store corrupted the upload; check it and publish again',
      });
    }
    // Sign what the store holds, not the local file: the signature then vouches for what clients download.
    const signature = await signer.sign((await svc.artifacts.open(key)).body);
    stored.push(`${key}.asc`);
    await svc.artifacts.put(`${key}.asc`, new TextEncoder().encode(signature));
    if (!(await touchRelease(svc.store.db, release.id, owner))) {
      throw new AppError('publish.lost_release', `release ${release.productId} ${release.version} was taken over while this publish ran (stale, or removed by gc)`, {
        kind: 'conflict', hint: 'publish again',
      });
    }
    progress(`stored and signed ${key}`);
  }
}

/** Removes this attempt's release and objects, if it still owns the release; its own objects either way. */
async function discard(svc: ReleaseServices, id: string, owner: string, stored: string[]): Promise<void> {
  const keys = await claimUnpublishedRelease(svc.store.db, id, owner, { owner }).catch(() => undefined);
  // only keys of this attempt: they name its release id, so they are no one else's
  await Promise.allSettled([...new Set([...stored, ...(keys ?? [])])].map((k) => svc.artifacts.delete(k)));
  if (keys) await deleteReleaseRows(svc, id);
}

export async function deleteReleaseRows(svc: ReleaseServices, id: string): Promise<void> {
  await deleteUnpublishedRelease(svc.store.db, id);
}

/**
 * An explicit version (`--version`, or a retried job's) is taken as it is. A release left unpublished
 * under it is removed first, but only when it is this owner's (a retried job) or stale: another
 * attempt's live release is left alone, and this publish fails with a conflict. The manifest's version
 * is a proposal: when that day's number is taken (a second respin on one day), the next free one is used.
 */
async function chooseVersion(svc: ReleaseServices, productId: string, owner: string, explicit?: string, proposed?: string): Promise<string> {
  if (explicit) {
    checkVersion(explicit);
    const previous = await findRelease(svc.store.db, productId, explicit);
    if (previous && previous.state !== 'published') {
      const staleBefore = new Date(Date.now() - STALE_PENDING_MS).toISOString();
      const keys = await claimUnpublishedRelease(svc.store.db, previous.id, owner, { owner, staleBefore });
      if (keys) {
        await Promise.allSettled(keys.map((k) => svc.artifacts.delete(k)));
        await deleteReleaseRows(svc, previous.id);
      }
    }
    return explicit;
  }
  const existing = (await listReleases(svc.store.db, { productId })).map((r) => r.version);
  if (proposed && VERSION.test(proposed)) {
    if (!existing.includes(proposed)) return proposed;
    const [y, m, d] = proposed.split('.').map(Number);
    return nextVersion(existing, new Date(Date.UTC(y!, m! - 1, d!)));
  }
  return nextVersion(existing, new Date());
}
