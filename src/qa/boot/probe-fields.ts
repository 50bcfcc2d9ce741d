/**
 * Probes that gather several facts in one SSH round trip print them as KEY=value lines (a round trip
 * costs seconds under emulation). The first line of each key wins; other lines are ignored.
 */
export function parseFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

/** The first lines of a command's output, on one line: enough of an error for a finding. */
export const excerpt = (text: string, lines = 3) => text.trim().split('\n').filter(Boolean).slice(0, lines).join(' | ') || '(no output)';
