import { compareDebVersions } from './deb-version.ts';

/** One entry of a debian/changelog: the heading's source, version, distribution and urgency, and its text. */
export interface ChangelogEntry {
  source: string;
  version: string;
  distribution: string;
  urgency: string;
  /** The change lines, as written (indentation and bullets kept). */
  text: string;
  /** CVE ids the entry names, in order, each once. */
  cves: string[];
  /** The trailer's date (` -- Maintainer <mail>  Date`), as written. */
  date?: string;
}

// `glibc (2.36-9+deb12u14) bookworm-security; urgency=medium` (deb-changelog(5))
const HEADING = /^(\S+) \(([^)\s]+)\) ([^;]+);\s*(.*)$/;
const TRAILER = /^ -- .*?>\s{1,2}(.+)$/;
const CVE = /\bCVE-\d{4}-\d{4,}\b/g;

/** Every entry of a changelog, newest first, as the file lists them; lines outside an entry are ignored. */
export function parseChangelog(text: string): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  let current: (ChangelogEntry & { lines: string[] }) | undefined;
  const close = () => {
    if (!current) return;
    const { lines, ...e } = current;
    const body = lines.join('\n').replace(/^\n+|\s+$/g, '');
    out.push({ ...e, text: body, cves: [...new Set(body.match(CVE) ?? [])] });
    current = undefined;
  };
  for (const line of text.split('\n')) {
    const h = HEADING.exec(line);
    if (h && !line.startsWith(' ')) {
      close();
      const urgency = /urgency=(\w+)/i.exec(h[4]!)?.[1]?.toLowerCase() ?? 'low';
      current = { source: h[1]!, version: h[2]!, distribution: h[3]!.trim(), urgency, text: '', cves: [], lines: [] };
      continue;
    }
    if (!current) continue;
    const t = TRAILER.exec(line);
    if (t) {
      current.date = t[1]!.trim();
      close();
      continue;
    }
    current.lines.push(line);
  }
  close();
  return out;
}

/**
 * The entries a user gets going from version `from` to version `to` of a package: newer than `from`, up to and
 * including `to` (what `apt changelog` shows for an upgrade). An entry whose version is not a valid Debian
 * version is skipped rather than guessed at.
 */
export function changesBetween(entries: ChangelogEntry[], from: string, to: string): ChangelogEntry[] {
  return entries.filter((e) => {
    try {
      return compareDebVersions(e.version, from) > 0 && compareDebVersions(e.version, to) <= 0;
    } catch {
      return false;
    }
  });
}
