const UNITS: Record<string, number> = { B: 1, K: 1024, KiB: 1024, M: 1024 ** 2, MiB: 1024 ** 2, G: 1024 ** 3, GiB: 1024 ** 3 };

/** "2GiB" → bytes. The schema has already checked the shape. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(s.trim());
  if (!m || !(m[2]! in UNITS)) throw new Error(`bad size ${s}`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
