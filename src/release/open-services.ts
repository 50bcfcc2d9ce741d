import { join, resolve } from 'node:path';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../backends/artifacts/fs-artifact-store.ts';
import { isS3Url, parseS3Url, S3ArtifactStore } from '../backends/artifacts/s3-artifact-store.ts';
import { AppError } from '../errors.ts';
import { reloadingSigner } from '../keys/reloading-signer.ts';
import { DEFAULT_RECIPES_DIR } from './catalogue.ts';
import { SqlQueue } from '../queue/sql-queue.ts';
import { openDatabase } from '../store/database.ts';
import { storedPublicUrl } from './public-url.ts';
import type { FeedConfig } from './republish.ts';
import type { ReleaseServices } from './services.ts';

export interface ServiceOptions {
  /** Holds herd.db, artifacts/ and keys/ unless told otherwise. */
  dataDir: string;
  database?: string;
  artifacts?: string;
  keysDir?: string;
  publicUrl?: string;
  feedTtlDays?: number;
  /** The recipe catalogue (default: the repository's recipes/ folder). */
  recipesDir?: string;
  /** The cloud targets file (default: DATA/targets.yaml). */
  targets?: string;
}

export const DEFAULT_DATA_DIR = '.herd';
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

export function keysDirOf(o: Pick<ServiceOptions, 'dataDir' | 'keysDir'>): string {
  return resolve(o.keysDir ?? join(o.dataDir, 'keys'));
}

/** Wires the concrete store, queue, artifact store and signer from command-line options. */
export async function openServices(o: ServiceOptions): Promise<ReleaseServices> {
  const artifacts = openArtifactStore(o.artifacts ?? join(o.dataDir, 'artifacts'));
  const store = await openDatabase(o.database ?? join(o.dataDir, 'herd.db'));
  const feed: FeedConfig = { publicUrl: o.publicUrl ?? (await storedPublicUrl(store)) ?? DEFAULT_PUBLIC_URL, feedTtlMs: (o.feedTtlDays ?? 7) * 86_400_000 };
  return {
    store,
    queue: new SqlQueue(store),
    artifacts,
    feed,
    recipesDir: resolve(o.recipesDir ?? DEFAULT_RECIPES_DIR),
    targetsFile: resolve(o.targets ?? join(o.dataDir, 'targets.yaml')),
    signer: reloadingSigner(keysDirOf(o)),
    close: () => store.close(),
  };
}

/**
 * A directory, or `s3://bucket/prefix` (endpoint, region and credentials from the AWS environment
 * and `HERD_S3_ENDPOINT`, see docs/release-service.md).
 */
export function openArtifactStore(location: string, env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  if (isS3Url(location)) return S3ArtifactStore.fromUrl(location, env);
  checkArtifactsLocation(location);
  return new FsArtifactStore(location);
}

/** Refuses URLs that are neither s3:// nor a directory, so `--artifacts gs://…` does not become a local folder. */
export function checkArtifactsLocation(location: string): void {
  if (isS3Url(location)) { parseS3Url(location); return; }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) {
    throw new AppError('artifacts.bad_location', `--artifacts ${location} is neither a directory nor an s3:// URL`, {
      hint: 'use a directory (--artifacts DIR) or an S3 location (--artifacts s3://BUCKET/PREFIX)',
    });
  }
}
