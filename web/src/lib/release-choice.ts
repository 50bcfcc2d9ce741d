import type { ReleaseSummary } from './api-types.ts';

/** The channel a reader lands on: stable when it has a usable release, else testing, else stable (empty). */
export function defaultChannel(releases: ReleaseSummary[]): string {
  const usable = (c: string) => releases.some((r) => r.channel === c && !r.revokedAt);
  return usable('stable') ? 'stable' : usable('testing') ? 'testing' : releases[0]?.channel ?? 'stable';
}

/**
 * The release whose files the page shows: the one asked for by version, else the newest unrevoked release of
 * the channel, else the channel's newest (revoked, and marked so). Lists come newest first.
 */
export function chooseRelease(releases: ReleaseSummary[], channel: string, version?: string | null): ReleaseSummary | undefined {
  if (version) return releases.find((r) => r.version === version);
  const inChannel = releases.filter((r) => r.channel === channel);
  return inChannel.find((r) => !r.revokedAt) ?? inChannel[0];
}

/** Architectures in a stable order: x86_64 first (what most readers want), then by name. */
export function orderArches(arches: Iterable<string>): string[] {
  return [...new Set(arches)].sort((a, b) => (a === 'x86_64' ? -1 : b === 'x86_64' ? 1 : a.localeCompare(b)));
}
