import type { ArtifactStore } from '../backends/artifacts/artifact-store.ts';
import type { Signer } from '../keys/signer.ts';
import type { Queue } from '../queue/queue.ts';
import type { Database } from '../store/database.ts';
import type { FeedConfig } from './republish.ts';

/** What release use cases need, wired once by the edges (serve, worker, CLI) from their options. */
export interface ReleaseServices {
  store: Database;
  queue: Queue;
  artifacts: ArtifactStore;
  /** Loaded on first use, so read-only commands work without a key. */
  signer(): Promise<Signer>;
  feed: FeedConfig;
  /** The recipe catalogue folder builds are made from (API requests name recipes by id, never by path). */
  recipesDir: string;
  /** The cloud targets file (docs/cloud-publishing.md); default DATA/targets.yaml. */
  targetsFile?: string;
  close(): Promise<void>;
}
