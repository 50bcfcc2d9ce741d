import { AppError } from '../errors.ts';

/** A Debian package version, split as dpkg splits it: [epoch:]upstream[-revision]. */
export interface DebVersion { epoch: number; upstream: string; revision: string }

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/**
 * Parses a version as deb-version(7) defines it: the epoch is the part before the first colon, the revision
 * the part after the last hyphen. Throws `deb.bad_version` for what dpkg would refuse (so a manifest or an
 * index with a broken version is reported, not silently mis-ordered).
 */
export function parseDebVersion(text: string): DebVersion {
  const bad = (why: string) => new AppError('deb.bad_version', `"${text}" is not a Debian version: ${why}`, {
    hint: 'versions look like 1.2.3-4, 2:1.0~rc1-1 or 252.39-1~deb12u1 (deb-version(7))',
  });
  const v = text.trim();
  if (!v) throw bad('it is empty');
  const colon = v.indexOf(':');
  let epoch = 0;
  let rest = v;
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e)) throw bad('the epoch is not a number');
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (!UPSTREAM.test(upstream)) throw bad('the upstream part must start with a digit and hold only letters, digits and . + ~ : -');
  if (hyphen >= 0 && !REVISION.test(revision)) throw bad('the revision holds only letters, digits and . + ~');
  return { epoch, upstream, revision };
}

/** dpkg's weight of one character of a non-digit run: `~` sorts before everything, even the end; letters before other symbols. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by `order`) and digit runs (as numbers of any size). */
function compareRuns(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i]!)) || (j < b.length && !/[0-9]/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /[0-9]/.test(a[i]!) && j < b.length && /[0-9]/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /[0-9]/.test(a[i]!)) return 1;
    if (j < b.length && /[0-9]/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`, exactly as `dpkg --compare-versions`. */
export function compareDebVersions(a: string, b: string): number {
  const x = parseDebVersion(a);
  const y = parseDebVersion(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return compareRuns(x.upstream, y.upstream) || compareRuns(x.revision, y.revision);
}
