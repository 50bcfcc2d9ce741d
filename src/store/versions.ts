import { AppError } from '../errors.ts';

/** Release versions are `YYYY.MM.DD.N`: the UTC build date and a counter, so they sort and read as dates. */
export const VERSION = /^\d{4}\.\d{2}\.\d{2}\.\d+$/;

export function checkVersion(v: string): string {
  if (!VERSION.test(v)) {
    throw new AppError('release.bad_version', `invalid release version "${v}"`, { hint: 'use YYYY.MM.DD.N, e.g. 2026.11.25.0' });
  }
  return v;
}

/** The next free version for `date`, given the versions a product already has. */
export function nextVersion(existing: string[], date: Date): string {
  const day = date.toISOString().slice(0, 10).replaceAll('-', '.');
  const used = existing.filter((v) => v.startsWith(day + '.')).map((v) => Number(v.slice(day.length + 1)));
  return `${day}.${used.length ? Math.max(...used) + 1 : 0}`;
}

/** Numeric, segment by segment: 2026.11.25.10 > 2026.11.25.9. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
