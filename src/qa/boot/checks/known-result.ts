import { finding } from '../check.ts';

/** A program run in the guest that must print one known line (a computed result). */
export interface KnownResultFacts { code: number; output: string }

/**
 * Passes when the program exited 0 and one of its output lines is exactly `want`; otherwise says what it
 * printed instead (the last lines, where errors are).
 */
export function evaluateKnownResult(what: string, want: string, f: KnownResultFacts) {
  const lines = f.output.split('\n').map((l) => l.trim());
  const tail = lines.filter(Boolean).slice(-3).join(' | ') || '(no output)';
  if (f.code !== 0) return [finding(`${what} failed (exit ${f.code}): ${tail}`)];
  if (!lines.includes(want)) return [finding(`${what} printed "${tail}", want "${want}"`)];
  return [];
}
