import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsArtifactStore } from '../../src/backends/artifacts/fs-artifact-store.ts';
import { generateKey, loadActiveSigner } from '../../src/keys/keyring.ts';
import { SqlQueue } from '../../src/queue/sql-queue.ts';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { createPendingRelease, markReleasePublished, type Release } from '../../src/store/releases.ts';
import { ensureProduct } from '../../src/store/products.ts';
import type { TestDatabase } from '../../src/store/test-databases.ts';

export const PUBLIC_URL = 'https://images.example.org';

/**
 * Release services over one of the contract-test databases (SQLite, or a fresh PostgreSQL schema), so the
 * hostile-client suite runs on both dialects. `withKey: false` leaves the key directory empty.
 */
export async function servicesOn(target: TestDatabase, o: { withKey?: boolean } = {}): Promise<{ svc: ReleaseServices; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'herd-sec-'));
  const keys = join(dir, 'keys');
  if (o.withKey !== false) await generateKey(keys);
  const store = await target.open();
  const svc: ReleaseServices = {
    store,
    queue: new SqlQueue(store),
    artifacts: new FsArtifactStore(join(dir, 'artifacts')),
    feed: { publicUrl: PUBLIC_URL, feedTtlMs: 86_400_000 },
    recipesDir: DEFAULT_RECIPES_DIR,
    signer: () => loadActiveSigner(keys),
    close: () => store.close(),
  };
  return { svc, dir, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** A published release straight in the store (no artifacts): enough for promote and revoke. */
export async function storedRelease(svc: ReleaseServices, version = '2026.11.25.0'): Promise<Release> {
  await ensureProduct(svc.store.db, 'base');
  const r = await createPendingRelease(svc.store.db, { productId: 'base', version, channel: 'testing', recipeDigest: 'sha256:x', packages: [] });
  await markReleasePublished(svc.store.db, r.id);
  return r;
}

/** A body of `total` bytes produced on demand, counting what the server actually pulled. */
export function countingBody(total: number, chunk = 16 * 1024): { stream: ReadableStream<Uint8Array>; pulled(): number } {
  let sent = 0;
  const piece = new Uint8Array(chunk).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) { controller.close(); return; }
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(n === chunk ? piece.slice() : piece.slice(0, n));
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => sent };
}
