import type { Kysely } from 'kysely';
import { parseSizeReportText } from '../manifest/size-report-schema.ts';
import type { QaReport } from '../qa/types.ts';
import { listArtifacts } from '../store/artifacts.ts';
import { publishedReleaseReports } from '../store/release-reports.ts';
import { type Channel, listReleases } from '../store/releases.ts';
import type { ReleaseState, Schema } from '../store/schema.ts';

/** One published release of a product, with the figures the portal charts across releases. */
export interface HistoryEntry {
  id: string;
  version: string;
  channel: Channel;
  state: ReleaseState;
  publishedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  untested: boolean;
  /** Bytes of each image file by format (qcow2, raw.xz, oci…), from the release's artifacts. */
  imageBytes: Record<string, number>;
  /** The image tree's apparent size from the build's size report; null when the build had none. */
  treeBytes: number | null;
  /** Seconds from power-on to SSH in the QA report's fastest boot; null when the release was not boot-tested. */
  bootSeconds: number | null;
  /** The QA record's verdict; null for an untested release. */
  qaPassed: boolean | null;
}

/** A product's published releases, oldest first (version order), revoked ones included and marked. */
export async function productHistory(db: Kysely<Schema>, productId: string): Promise<HistoryEntry[]> {
  const releases = (await listReleases(db, { productId, state: 'published' })).reverse();
  const ids = releases.map((r) => r.id);
  const [artifacts, reports] = await Promise.all([listArtifacts(db, ids), publishedReleaseReports(db, productId)]);
  return releases.map((r) => {
    const imageBytes: Record<string, number> = {};
    // a release holds one architecture today; with several, the first (by architecture) is the one charted
    for (const a of artifacts) if (a.releaseId === r.id) imageBytes[a.format] ??= a.size;
    const rep = reports.get(r.id);
    return {
      id: r.id, version: r.version, channel: r.channel, state: r.state, publishedAt: r.publishedAt,
      revokedAt: r.revokedAt, revokeReason: r.revokeReason, untested: r.untested, imageBytes,
      treeBytes: treeBytesOf(rep?.sizeReport ?? null), bootSeconds: bootSecondsOf(rep?.qaReport ?? null), qaPassed: qaPassedOf(r.qa),
    };
  });
}

function treeBytesOf(sizeReport: string | null): number | null {
  if (!sizeReport) return null;
  const parsed = parseSizeReportText(sizeReport);
  return parsed.ok ? parsed.report.total.bytes : null;
}

/**
 * SSH is what a user waits for. The fastest boot is taken: BIOS and UEFI boots of one image differ little,
 * but a boot that fell back to TCG emulation takes several times longer than one under KVM.
 */
export function bootSecondsOf(qaReport: string | null): number | null {
  if (!qaReport) return null;
  let report: Partial<QaReport>;
  try {
    report = JSON.parse(qaReport) as Partial<QaReport>;
  } catch {
    return null;
  }
  const times = (Array.isArray(report.boots) ? report.boots : [])
    .map((b) => b?.secondsToSsh).filter((s): s is number => typeof s === 'number' && Number.isFinite(s) && s >= 0);
  return times.length ? Math.min(...times) : null;
}

function qaPassedOf(qa: unknown): boolean | null {
  const passed = (qa as { passed?: unknown } | null)?.passed;
  return typeof passed === 'boolean' ? passed : null;
}
