/** Names and times an OCI image carries, computed the same way by the plan and the OCI writer (pure). */

/** RFC 3339 time of a SOURCE_DATE_EPOCH, without milliseconds. */
export function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * A tag for an image version: tags allow [A-Za-z0-9_.-] only (128 characters, not starting with . or -);
 * a recipe version may hold "+" or "~" (Debian style), which become "-".
 */
export function tagOf(version: string): string {
  const t = version.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return (t || 'latest').slice(0, 128);
}
