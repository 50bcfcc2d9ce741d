import type { Path } from './issues.ts';
import type { YamlSource } from './yaml-source.ts';

/** Where a merged value was written: lets errors in a merged recipe point at the right file and line. */
export interface Origin {
  src: YamlSource;
  path: Path;
  fields?: Record<string, Origin>;
  items?: Origin[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists whose order is meaning (a preference list): a child replaces them instead of extending them. */
const REPLACED_LISTS = new Set(['archive.sources', 'cloud-init.datasources', 'disk.boot', 'ssh.host-key-types']);
/** Lists of objects merged by a key: a child entry with the same key replaces the parent's. */
const KEYED_LISTS: Record<string, string> = { files: 'path', users: 'name' };

export function originOf(src: YamlSource, value: unknown, path: Path = []): Origin {
  const o: Origin = { src, path };
  if (Array.isArray(value)) o.items = value.map((v, i) => originOf(src, v, [...path, i]));
  else if (isObj(value)) o.fields = Object.fromEntries(Object.keys(value).map((k) => [k, originOf(src, value[k], [...path, k])]));
  return o;
}

/**
 * Merges a child recipe over its parent: scalars override, maps merge key by key, lists append
 * (de-duplicated); a string item "!x" in a child list removes "x" inherited from the parent.
 */
export function mergeRecipes(base: unknown, over: unknown, bo: Origin, oo: Origin, at = ''): { value: unknown; origin: Origin } {
  if (isObj(base) && isObj(over)) {
    const value: Obj = { ...base };
    const fields: Record<string, Origin> = { ...bo.fields };
    for (const [k, v] of Object.entries(over)) {
      const key = at ? `${at}.${k}` : k;
      if (k in base && key !== 'extends') {
        const m = mergeRecipes(base[k], v, bo.fields![k]!, oo.fields![k]!, key);
        value[k] = m.value;
        fields[k] = m.origin;
      } else {
        value[k] = v;
        fields[k] = oo.fields![k]!;
      }
    }
    return { value, origin: { ...oo, fields } };
  }
  if (Array.isArray(base) && Array.isArray(over) && !REPLACED_LISTS.has(at)) {
    return mergeLists(base, over, bo, oo, KEYED_LISTS[at]);
  }
  return { value: over, origin: oo };
}

function mergeLists(base: unknown[], over: unknown[], bl: Origin, ol: Origin, key?: string) {
  const bo = bl.items ?? [];
  const oo = ol.items ?? [];
  const identity = (v: unknown) => (key && isObj(v) ? `k:${String(v[key])}` : `v:${JSON.stringify(v)}`);
  const out: Array<{ v: unknown; o: Origin }> = base.map((v, i) => ({ v, o: bo[i]! }));
  over.forEach((v, i) => {
    if (typeof v === 'string' && v.startsWith('!')) {
      const removed = identity(v.slice(1));
      for (let j = out.length - 1; j >= 0; j--) if (identity(out[j]!.v) === removed) out.splice(j, 1);
      return;
    }
    const id = identity(v);
    const existing = out.findIndex((e) => identity(e.v) === id);
    if (existing >= 0) out[existing] = { v, o: oo[i]! };
    else out.push({ v, o: oo[i]! });
  });
  return { value: out.map((e) => e.v), origin: { ...ol, items: out.map((e) => e.o) } };
}

/** The source position of a path in the merged recipe (deepest known ancestor when the path itself is new). */
export function locateMerged(origin: Origin, path: Path): { src: YamlSource; path: Path; exact: boolean } {
  let node = origin;
  for (const seg of path) {
    const next = typeof seg === 'number' ? node.items?.[seg] : node.fields?.[seg];
    if (!next) return { src: node.src, path: node.path, exact: false };
    node = next;
  }
  return { src: node.src, path: node.path, exact: true };
}
