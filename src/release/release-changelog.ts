import { compareDebVersions } from '../manifest/deb-version.ts';
import { type ChangeEntry, changesInDeb } from './update-changelogs.ts';
import type { DebFiles } from './deb-files.ts';

/** A package of a release: what its manifest says the image holds (the source package when the build recorded it). */
export interface ReleasePackage { name: string; version: string; arch: string; source?: string }

/** An upgrade between two releases, with the entries of the new package's own changelog since the old version. */
export interface ChangelogUpgrade {
  name: string;
  arch: string;
  from: string;
  to: string;
  source?: string;
  /** An entry was uploaded to a security suite (`trixie-security`): Debian's security team shipped it. */
  security: boolean;
  /** Every CVE id the entries name. */
  cves: string[];
  entries: ChangeEntry[];
  /** Why there are no entries when there are none (no changelog of its own, or the .deb could not be had). */
  missing?: string;
}

export interface ChangelogSummary {
  /** The release this one is compared with: the product's newest published release when it was published; absent for a first release. */
  against?: { id: string; version: string };
  added: number;
  removed: number;
  upgraded: number;
  downgraded: number;
  /** Upgrades shipped by a security suite. */
  security: number;
  cves: string[];
}

/** What changed in a release against the previous one: stored at publication, shown in the portal and the feed (issue #11). */
export interface ReleaseChangelog {
  schemaVersion: 1;
  summary: ChangelogSummary;
  added: Array<{ name: string; arch: string; version: string }>;
  removed: Array<{ name: string; arch: string; version: string }>;
  upgraded: ChangelogUpgrade[];
  downgraded: Array<{ name: string; arch: string; from: string; to: string }>;
}

const SECURITY_SUITE = /-security$/;

/**
 * The changelog of a release against `previous`: packages added, removed, upgraded (old → new) and downgraded,
 * by name and architecture. For each upgrade, the entries of the new package's own Debian changelog after the
 * old version, read from the .deb the build installed (`debs`), and the CVE ids they name. Binary packages of
 * one source share a changelog, and many carry none of their own (their doc folder links to another binary's),
 * so each (source, version) is read once, from the first of its binaries that carries it. Nothing here throws
 * for a package whose changelog cannot be had: the upgrade says why in `missing`.
 */
export async function releaseChangelog(previous: { id: string; version: string; packages: ReleasePackage[] } | undefined,
  next: ReleasePackage[], debs: DebFiles): Promise<ReleaseChangelog> {
  const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;
  const before = new Map((previous?.packages ?? []).map((p) => [key(p), p]));
  const after = new Map(next.map((p) => [key(p), p]));
  const byName = (a: { name: string; arch: string }, b: { name: string; arch: string }) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch);
  const added = previous ? next.filter((p) => !before.has(key(p))).map(({ name, arch, version }) => ({ name, arch, version })).sort(byName) : [];
  const removed = (previous?.packages ?? []).filter((p) => !after.has(key(p))).map(({ name, arch, version }) => ({ name, arch, version })).sort(byName);
  const moves = next.flatMap((p) => {
    const old = before.get(key(p));
    return old && old.version !== p.version ? [{ p, from: old.version }] : [];
  });
  const ups = moves.filter((m) => compareDebVersions(m.p.version, m.from) > 0);
  const downgraded = moves.filter((m) => compareDebVersions(m.p.version, m.from) < 0)
    .map(({ p, from }) => ({ name: p.name, arch: p.arch, from, to: p.version })).sort(byName);

  // one read per (source, new version): its binaries in the upgrade set, the package named like the source first
  const groups = new Map<string, typeof ups>();
  for (const u of ups) {
    const g = `${u.p.source ?? u.p.name} ${u.p.version}`;
    groups.set(g, [...(groups.get(g) ?? []), u]);
  }
  // a binary added with the same source and version may carry the changelog its upgraded sibling lacks: a kernel
  // metapackage (linux-image-cloud-amd64) has none, the versioned kernel package it now depends on has it
  const donors = new Map<string, ReleasePackage[]>();
  for (const p of next) {
    if (!p.source || before.has(key(p))) continue;
    const g = `${p.source} ${p.version}`;
    donors.set(g, [...(donors.get(g) ?? []), p]);
  }
  const read = new Map<string, Awaited<ReturnType<typeof changesInDeb>>>();
  try {
    for (const [g, members] of groups) {
      const source = members[0]!.p.source ?? members[0]!.p.name;
      const order = [...members, ...(donors.get(g) ?? []).map((p) => ({ p, from: members[0]!.from }))]
        .sort((a, b) => Number(b.p.name === source) - Number(a.p.name === source));
      let found: Awaited<ReturnType<typeof changesInDeb>> | undefined;
      const why: string[] = [];
      for (const m of order) {
        try {
          const file = await debs.get({ name: m.p.name, version: m.p.version, arch: m.p.arch });
          // the oldest version any binary of the group came from bounds the entries
          const from = members.map((x) => x.from).sort(compareDebVersions)[0]!;
          const c = await changesInDeb(file, m.p.name, from, m.p.version);
          if (!c.missing) { found = c; break; }
          why.push(`${m.p.name}: ${c.missing}`);
        } catch (e) {
          why.push(`${m.p.name}: ${(e as Error).message}`);
        }
      }
      read.set(g, found ?? { entries: [], cves: [], missing: why.join('; ') || 'no binary of the source carries a changelog' });
    }
  } finally {
    await debs.close();
  }

  const upgraded: ChangelogUpgrade[] = ups.map(({ p, from }) => {
    const c = read.get(`${p.source ?? p.name} ${p.version}`)!;
    // each binary shows the entries after its own old version
    const entries = c.entries.filter((e) => { try { return compareDebVersions(e.version, from) > 0; } catch { return false; } });
    return {
      name: p.name, arch: p.arch, from, to: p.version, ...(p.source && p.source !== p.name ? { source: p.source } : {}),
      security: entries.some((e) => SECURITY_SUITE.test(e.distribution)), cves: [...new Set(entries.flatMap((e) => e.cves))], entries,
      ...(c.missing ? { missing: c.missing } : {}),
    };
  }).sort(byName);
  return {
    schemaVersion: 1,
    summary: {
      ...(previous ? { against: { id: previous.id, version: previous.version } } : {}),
      added: added.length, removed: removed.length, upgraded: upgraded.length, downgraded: downgraded.length,
      security: upgraded.filter((u) => u.security).length, cves: [...new Set(upgraded.flatMap((u) => u.cves))].sort(),
    },
    added, removed, upgraded, downgraded,
  };
}
