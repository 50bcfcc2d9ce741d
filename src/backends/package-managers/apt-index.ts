import type { InstalledPackage, LockedPackage } from './package-manager.ts';

/** The fields of one Packages-index stanza that pin a file: what a lock records. */
export interface IndexEntry extends LockedPackage {}

/**
 * The stanzas of deb822 text (a Packages index), each as a lookup of its single-line fields: the value after
 * `Field:`, trimmed, or undefined when the field is absent or empty.
 */
export function deb822Stanzas(text: string): Array<(field: string) => string | undefined> {
  return text.split(/\n[ \t]*\n/).map((stanza) => (f: string) => new RegExp(`^${f}:[ \\t]*(.+)$`, 'm').exec(stanza)?.[1]?.trim() || undefined);
}

/** Splits deb822 text (a Packages index) into the stanzas of the named packages, parsed into lock entries. */
export function parsePackagesIndex(text: string, wanted?: Set<string>): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const stanza of deb822Stanzas(text)) {
    // each of these fields is one token; anything after it on the line is not part of the value
    const field = (f: string) => stanza(f)?.split(/\s+/)[0];
    const name = field('Package');
    if (!name || (wanted && !wanted.has(name))) continue;
    const [version, architecture, filename, size, sha256] = ['Version', 'Architecture', 'Filename', 'Size', 'SHA256'].map(field);
    if (!version || !architecture || !filename || !size || !sha256) continue;
    out.push({ name, version, architecture, filename, size: Number(size), sha256 });
  }
  return out;
}

/**
 * The lock entries of what is installed: each installed (name, version, architecture) found in the
 * indexes apt installed from. An installed package no index lists (none, in a normal build) is returned
 * in `unmatched` so the caller can say so.
 */
export function lockEntries(installed: InstalledPackage[], index: IndexEntry[]): { entries: LockedPackage[]; unmatched: InstalledPackage[] } {
  const byKey = new Map<string, IndexEntry>();
  for (const e of index) {
    const key = `${e.name} ${e.version} ${e.architecture}`;
    if (!byKey.has(key)) byKey.set(key, e); // the same version in two suites is the same file
  }
  const entries: LockedPackage[] = [];
  const unmatched: InstalledPackage[] = [];
  for (const p of installed) {
    const e = byKey.get(`${p.name} ${p.version} ${p.architecture}`);
    if (e) entries.push({ name: e.name, version: e.version, architecture: e.architecture, filename: e.filename, size: e.size, sha256: e.sha256 });
    else unmatched.push(p);
  }
  return { entries: entries.sort((a, b) => a.name.localeCompare(b.name)), unmatched };
}

/** apt's name for a downloaded package in /var/cache/apt/archives (the epoch colon is escaped). */
export function debCacheName(p: Pick<LockedPackage, 'name' | 'version' | 'architecture'>): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
}
