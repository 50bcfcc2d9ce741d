/**
 * Conditional requests (RFC 9110 §13). `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"`;
 * it takes a comma-separated list, or `*` (any current representation). `If-Range` needs a strong
 * match of the ETag (a weak validator never matches) or exactly the Last-Modified date.
 */
export function parseEntityTags(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return [...header.matchAll(/\s*(W\/)?("[^"]*")\s*(?:,|$)/g)].map((m) => `${m[1] ?? ''}${m[2]}`);
}

const opaque = (tag: string) => tag.replace(/^W\//, '');

/** true when the client's copy is current: answer 304. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = parseEntityTags(header);
  if (tags === '*') return true;
  return tags.some((t) => opaque(t) === opaque(etag));
}

/** true when a Range request may be answered with a range (no If-Range, or it still names this representation). */
export function rangeStillValid(header: string | undefined, etag: string, lastModified?: Date): boolean {
  if (!header) return true;
  const h = header.trim();
  if (h.startsWith('"') || h.startsWith('W/')) return !h.startsWith('W/') && !etag.startsWith('W/') && h === etag;
  if (!lastModified) return false;
  const date = Date.parse(h);
  return Number.isFinite(date) && date === Math.floor(lastModified.getTime() / 1000) * 1000;
}
