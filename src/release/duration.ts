import { AppError } from '../errors.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `90s`, `30m`, `12h`, `3d`, `2w` in milliseconds (the respin interval of `herd serve`, a recipe's soak time). */
/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function parseDuration(text: string, what = 'duration'): number {
  const m = /^([1-9][0-9]{0,5})([smhdw])$/.exec(text.trim());
  if (!m) {
    throw new AppError('duration.invalid', `${what} "${text.slice(0, 40)}" is not a duration`, { hint: 'a whole number and a unit: 90s, 30m, 12h, 3d or 2w' });
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** A duration a timer waits: at most 24 days, since Node clamps a longer timer to 1 ms (a scheduler would run without pause). */
export function parseTimerDuration(text: string, what = 'duration'): number {
  const ms = parseDuration(text, what);
  if (ms > MAX_TIMER_MS) throw new AppError('duration.too_long', `${what} "${text.trim()}" is longer than 24 days`, { hint: 'use 24d or less (the longest timer Node can set)' });
  return ms;
}
