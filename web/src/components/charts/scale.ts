/** A label that fits `max` characters, with an ellipsis when cut (the full text is in the <title> and the table). */
export function fit(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Round axis ticks from 0 to at least max: 1, 2 or 5 times a power of ten; `binary` steps in KiB, MiB, GiB
 * so byte axes read 25 MiB, 50 MiB rather than 23.8 MiB, 47.7 MiB.
 */
export function ticks(max: number, count = 4, binary = false): number[] {
  if (binary && max >= 1024) {
    const unit = 1024 ** Math.floor(Math.log(max) / Math.log(1024));
    return ticks(max / unit, count).map((t) => t * unit);
  }
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
