import { createHash } from 'node:crypto';

/** JSON with object keys sorted and undefined dropped: the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A step id: hash of the stage name, its options and the ids of its inputs (osbuild's Stage.id idea). */
export function stepId(stage: string, options: unknown, inputs: string[]): string {
  return sha256(canonicalJson({ stage, options, inputs })).slice(0, 32);
}
