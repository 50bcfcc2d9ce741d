import { claimUnpublishedRelease, listStaleReleases } from '../store/releases.ts';
import { deleteReleaseRows, STALE_PENDING_MS } from './publish-release.ts';
import type { ReleaseServices } from './services.ts';

export interface GcOptions {
  /** Pending releases and partial uploads untouched for this long are removed (default: STALE_PENDING_MS). */
  olderThanMs?: number;
  dryRun?: boolean;
}

export interface GcReport {
  dryRun: boolean;
  olderThanMs: number;
  /** Unpublished releases removed with their artifacts (product, version, state, id). */
  releases: Array<{ id: string; product: string; version: string; state: string; keys: number }>;
  /** Artifact keys deleted (or that would be). */
  artifacts: string[];
  /** Partial uploads removed from the artifact store (`.tmp/*.part` in a directory store). */
  partialUploads: string[];
}

/**
 * Removes what interrupted publishes leave: unpublished (pending or failed) releases whose attempt sent
 * no heartbeat for `olderThanMs`, with their artifacts, and partial uploads of the same age. A live
 * attempt is never touched: each release is claimed atomically first, and only if it is still stale.
 * Run by `herd gc` and at `herd serve` start.
 */
export async function collectGarbage(svc: ReleaseServices, o: GcOptions = {}): Promise<GcReport> {
  const olderThanMs = o.olderThanMs ?? STALE_PENDING_MS;
  const dryRun = o.dryRun ?? false;
  const staleBefore = new Date(Date.now() - olderThanMs).toISOString();
  const report: GcReport = { dryRun, olderThanMs, releases: [], artifacts: [], partialUploads: [] };
  for (const r of await listStaleReleases(svc.store.db, staleBefore)) {
    let keys: string[] | undefined;
    if (dryRun) {
      const rows = await svc.store.db.selectFrom('artifacts').select(['location', 'signature']).where('release_id', '=', r.id).execute();
      keys = rows.flatMap((a) => [a.location, a.signature]);
    } else {
      keys = await claimUnpublishedRelease(svc.store.db, r.id, `gc:${process.pid}`, { staleBefore });
      if (!keys) continue; // touched (alive) since it was listed
      await Promise.all(keys.map((k) => svc.artifacts.delete(k)));
      await deleteReleaseRows(svc, r.id);
    }
    report.releases.push({ id: r.id, product: r.productId, version: r.version, state: r.state, keys: keys.length });
    report.artifacts.push(...keys);
  }
  report.partialUploads = (await svc.artifacts.sweepPartial?.(olderThanMs, dryRun)) ?? [];
  return report;
}

export function formatGcReport(r: GcReport): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = [`herd gc: ${verb} ${r.releases.length} stale unpublished release(s), ${r.artifacts.length} artifact object(s), ${r.partialUploads.length} partial upload(s) (older than ${Math.round(r.olderThanMs / 1000)} s)`];
  for (const x of r.releases) lines.push(`  release ${x.product} ${x.version} (${x.state}, id ${x.id}): ${x.keys} object(s)`);
  for (const p of r.partialUploads) lines.push(`  partial upload ${p}`);
  return lines.join('\n');
}
