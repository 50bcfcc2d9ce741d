import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDebChangelog } from '../backends/package-managers/deb-changelog-file.ts';
import { changesBetween, parseChangelog } from '../manifest/deb-changelog.ts';
import { type BytesFetcher, httpBytes } from '../resolve/suite-index.ts';
import type { PendingUpdate } from './pending-updates.ts';

/** One changelog entry of an update, as stored and served (text capped: a kernel's entries run to thousands of lines). */
export interface ChangeEntry { version: string; distribution: string; urgency: string; date?: string; cves: string[]; text: string }

/** What an update changes, from the new package's own changelog: the entries after the installed version. */
export interface UpdateChanges {
  entries: ChangeEntry[];
  /** Every CVE id the entries name, once each. */
  cves: string[];
  /** Why there are no entries, when there are none: the package has no changelog of its own, or the .deb could not be had. */
  missing?: string;
}

/** The most text kept of one entry; CVE ids are read from the whole entry before it is cut. */
export const MAX_ENTRY_TEXT = 16 * 1024;

/**
 * The entries of the changelog the .deb at `file` carries for `packageName` that lie after `from`, up to
 * and including `to`: what `apt changelog` shows for that upgrade. `missing` says why there are none when
 * the package carries no changelog of its own.
 */
export async function changesInDeb(file: string, packageName: string, from: string, to: string): Promise<UpdateChanges> {
  const text = await readDebChangelog(file, packageName);
  if (!text) return { entries: [], cves: [], missing: 'the package carries no changelog of its own' };
  const entries = changesBetween(parseChangelog(text), from, to).map((e) => ({
    version: e.version, distribution: e.distribution, urgency: e.urgency, ...(e.date ? { date: e.date } : {}), cves: e.cves,
    text: e.text.length > MAX_ENTRY_TEXT ? `${e.text.slice(0, MAX_ENTRY_TEXT)}\n  [… ${e.text.length - MAX_ENTRY_TEXT} more characters in the package's changelog]` : e.text,
  }));
  return { entries, cves: [...new Set(entries.flatMap((e) => e.cves))] };
}

/**
 * Each update's changes, read from the candidate .deb itself (the file the signed index names, checked by
 * size and SHA-256 before it is opened), as `apt changelog` would show them. One .deb at a time, each in a
 * private temporary folder removed at once: a kernel package is tens of MB.
 */
export async function updateChangelogs(updates: PendingUpdate[], fetchBytes: BytesFetcher = httpBytes): Promise<Map<string, UpdateChanges>> {
  const out = new Map<string, UpdateChanges>();
  for (const u of updates) {
    const key = `${u.name} ${u.arch}`;
    const { filename, size, sha256 } = u.from;
    if (!filename || !sha256) { out.set(key, { entries: [], cves: [], missing: 'the index names no file for this version' }); continue; }
    const dir = mkdtempSync(join(tmpdir(), 'herd-changelog-'));
    try {
      const bytes = await fetchBytes(`${u.from.uri.replace(/\/+$/, '')}/${filename}`);
      if (bytes.length !== size || createHash('sha256').update(bytes).digest('hex') !== sha256) {
        out.set(key, { entries: [], cves: [], missing: `${filename} is not the file the signed index names (size or sha256 differ)` });
        continue;
      }
      const file = join(dir, 'package.deb');
      writeFileSync(file, bytes);
      out.set(key, await changesInDeb(file, u.name, u.installed, u.candidate));
    } catch (e) {
      out.set(key, { entries: [], cves: [], missing: `cannot read the changelog: ${(e as Error).message}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
