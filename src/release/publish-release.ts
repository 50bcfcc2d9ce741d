import { createReadStream } from 'node:fs';
import { AppError } from '../errors.ts';
import { addArtifact } from '../store/artifacts.ts';
import { ensureProduct } from '../store/products.ts';
import {
  type Channel, createPendingRelease, deleteUnpublishedRelease, findRelease, listReleases, markReleasePublished, type Release,
} from '../store/releases.ts';
import { checkVersion, nextVersion, VERSION } from '../store/versions.ts';
import { type BuildOutput, readBuildOutput } from './build-output.ts';
import { republish } from './republish.ts';
import type { ReleaseServices } from './services.ts';

export interface PublishOptions {
  channel?: Channel;
  /** Defaults to the manifest's name. */
  product?: string;
  /** Defaults to the manifest's version (or the next free one that day), else today's next YYYY.MM.DD.N. */
  version?: string;
  onProgress?: (message: string) => void;
  /** Called once the version is fixed, before anything is stored: a job records it so its retries reuse it. */
  onVersion?: (version: string) => Promise<void>;
}

/**
 * Build output folder → published release. Order matters: verify the files, store each artifact and
 * check what landed, sign it, and only then mark the release published and republish the feeds in one
 * transaction. Any failure removes what was stored, and the feeds never mention the release.
 */
export async function publishRelease(svc: ReleaseServices, dir: string, options: PublishOptions = {}): Promise<Release> {
  const progress = options.onProgress ?? (() => {});
  const out = await readBuildOutput(dir);
  progress(`verified ${out.outputs.length} file(s) in ${dir}`);
  const signer = await svc.signer();
  const productId = options.product ?? out.name;
  await ensureProduct(svc.store.db, productId);
  const version = await chooseVersion(svc, productId, options.version, out.version);
  await options.onVersion?.(version);
  const release = await createPendingRelease(svc.store.db, {
    productId, version, channel: options.channel ?? 'testing', recipeDigest: out.recipeDigest, packages: out.packages,
  });
  const stored: string[] = [];
  try {
    await storeArtifacts(svc, out, release, stored, progress);
    await republish(svc.store, signer, svc.feed, (tx) => markReleasePublished(tx, release.id));
    progress(`published ${productId} ${version} to ${release.channel}`);
    return { ...release, state: 'published' };
  } catch (e) {
    await Promise.allSettled(stored.map((k) => svc.artifacts.delete(k)));
    await deleteUnpublishedRelease(svc.store.db, release.id);
    throw e;
  }
}

async function storeArtifacts(svc: ReleaseServices, out: BuildOutput, release: Release, stored: string[], progress: (m: string) => void) {
  const signer = await svc.signer();
  for (const o of out.outputs) {
    const key = `${release.productId}/${release.version}/${out.architecture}/${o.file}`;
    stored.push(key);
    const put = await svc.artifacts.put(key, createReadStream(o.path));
    if (put.sha256 !== o.sha256 || put.size !== o.size) {
      throw new AppError('publish.stored_corrupt', `artifact store holds ${put.size} bytes with sha256 ${put.sha256} for ${key}, expected ${o.size} bytes with ${o.sha256}`, {
        kind: 'dependency', hint: 'the artifact store corrupted the upload; check it and publish again',
      });
    }
    // Sign what the store holds, not the local file: the signature then vouches for what clients download.
    const signature = await signer.sign((await svc.artifacts.open(key)).body);
    stored.push(`${key}.asc`);
    await svc.artifacts.put(`${key}.asc`, new TextEncoder().encode(signature));
    await addArtifact(svc.store.db, {
      releaseId: release.id, arch: out.architecture, format: o.format, fileName: o.file, location: key,
      size: o.size, sha256: o.sha256, uncompressedSha256: o.uncompressedSha256 ?? null, signature: `${key}.asc`,
    });
    progress(`stored and signed ${key}`);
  }
}

/**
 * An explicit version (`--version`, or a retried job's) is taken as it is; a release left pending by an
 * interrupted attempt is discarded so the retry can take its version. The manifest's version is a
 * proposal: when that day's number is taken (a second respin on one day), the next free one is used.
 */
async function chooseVersion(svc: ReleaseServices, productId: string, explicit?: string, proposed?: string): Promise<string> {
  if (explicit) {
    checkVersion(explicit);
    const previous = await findRelease(svc.store.db, productId, explicit);
    if (previous && previous.state !== 'published') await deleteUnpublishedRelease(svc.store.db, previous.id);
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
