import type { z } from 'zod';

/** The keys an object in the schema accepts at `path`: used to suggest "did you mean" for unknown keys. */
export function knownKeys(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  let node: any = schema;
  const unwrap = () => {
    while (node?.def && ['optional', 'default', 'nullable', 'prefault', 'pipe'].includes(node.def.type)) {
      node = node.def.type === 'pipe' ? node.def.in : node.def.innerType;
    }
  };
  unwrap();
  for (const seg of path) {
    if (node?.def?.type === 'array') node = node.def.element;
    else if (node?.def?.type === 'object') node = node.def.shape[seg as string];
    else if (node?.def?.type === 'record') node = node.def.valueType;
    else return [];
    unwrap();
  }
  return node?.def?.type === 'object' ? Object.keys(node.def.shape) : [];
}

/** The closest name by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
