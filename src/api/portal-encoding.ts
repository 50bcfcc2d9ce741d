/** The encodings the portal's build writes beside a file (web/precompress-plugin.ts), best first. */
export const PRECOMPRESSED = [{ coding: 'br', suffix: '.br' }, { coding: 'gzip', suffix: '.gz' }] as const;
export type Precompressed = (typeof PRECOMPRESSED)[number];

/**
 * The codings an Accept-Encoding header allows (RFC 9110 §12.5.3): a coding listed with q=0 is refused,
 * `*` stands for every coding not listed. No header at all means identity only: a client that says nothing
 * gets the file as it is.
 */
export function acceptedCodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  if (!header) return accepted;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  for (const { coding } of PRECOMPRESSED) {
    const value = q.get(coding) ?? (coding === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
    if (value > 0) accepted.add(coding);
  }
  return accepted;
}

/** True for a path that names a precompressed variant itself, which is never served on its own. */
export const isVariantPath = (path: string) => PRECOMPRESSED.some((v) => path.endsWith(v.suffix));
