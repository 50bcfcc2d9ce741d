import type { Path } from './issues.ts';
import type { YamlSource } from './yaml-source.ts';
import { closest } from './known-keys.ts';
import { defaultListAt } from './defaults.ts';

/** Where a merged value was written: lets errors in a merged recipe point at the right file and line. */
export interface Origin {
  src: YamlSource;
  path: Path;
  fields?: Record<string, Origin>;
  items?: Origin[];
}

/** A problem found while merging (a removal that matches nothing), located where the child wrote it. */
export interface MergeIssue { origin: Origin; message: string; hint?: string }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists whose order is meaning (a preference list): a child replaces them instead of extending them. */
export const REPLACED_LISTS = new Set(['archive.sources', 'cloud-init.datasources', 'disk.boot', 'ssh.host-key-types',
  'catalog.use-cases', 'catalog.personas', 'catalog.platforms', 'catalog.stack.frameworks']);
/** Lists of objects merged by a key: a child entry with the same key replaces the parent's; "!key" removes it. */
export const KEYED_LISTS: Record<string, string> = { files: 'path', users: 'name', 'archive.sources': 'uri' };

/** A removal item: a string "!x" in a list. */
export const isRemoval = (v: unknown): v is string => typeof v === 'string' && v.startsWith('!');

export function originOf(src: YamlSource, value: unknown, path: Path = []): Origin {
  const o: Origin = { src, path };
  if (Array.isArray(value)) o.items = value.map((v, i) => originOf(src, v, [...path, i]));
  else if (isObj(value)) o.fields = Object.fromEntries(Object.keys(value).map((k) => [k, originOf(src, value[k], [...path, k])]));
  return o;
}

/**
 * Merges a child recipe over its parent: scalars override, maps merge key by key, lists append
 * (de-duplicated); a string item "!x" in a child list removes the inherited item "x" (in `files` and
 * `users`, the item whose path or name is x; in `packages`, x with any version pin). A removal that
 * matches nothing inherited is reported, never ignored.
 */
export function mergeRecipes(base: unknown, over: unknown, bo: Origin, oo: Origin, at = '', issues: MergeIssue[] = []): { value: unknown; origin: Origin; issues: MergeIssue[] } {
  if (isObj(base) && isObj(over)) {
    const value: Obj = { ...base };
    const fields: Record<string, Origin> = { ...bo.fields };
    for (const [k, v] of Object.entries(over)) {
      const key = at ? `${at}.${k}` : k;
      if (k in base && key !== 'extends') {
        const m = mergeRecipes(base[k], v, bo.fields![k]!, oo.fields![k]!, key, issues);
        value[k] = m.value;
        fields[k] = m.origin;
      } else {
        const s = stripRemovals(v, oo.fields![k]!, issues);
        value[k] = s.value;
        fields[k] = s.origin;
      }
    }
    return { value, origin: { ...oo, fields }, issues };
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    if (!REPLACED_LISTS.has(at)) return { ...mergeLists(base, over, bo, oo, at, issues), issues };
    // a child replaces a preference list, unless it only removes items from the inherited one
    if (over.length > 0 && over.every(isRemoval)) return { ...mergeLists(base, over, bo, oo, at, issues), issues };
    const mixed = new Set<Origin>();
    over.forEach((v, i) => {
      if (!isRemoval(v)) return;
      mixed.add(oo.items![i]!);
      issues.push({ origin: oo.items![i]!, message: `"${v}" cannot be mixed with items in ${at}, which a child replaces as a whole`,
        hint: `${at} is a preference list: write the whole list you want, or only "!" items to remove some inherited ones` });
    });
    const nested: MergeIssue[] = [];
    const s = stripRemovals(over, oo, nested);
    issues.push(...nested.filter((n) => !mixed.has(n.origin)));
    return { ...s, issues };
  }
  return { ...stripRemovals(over, oo, issues), issues };
}

/** How items of a list are compared: by key in keyed lists, by package name in `packages`, else by value. */
function identityFor(at: string): (v: unknown) => string {
  const key = KEYED_LISTS[at];
  if (key) return (v) => (isObj(v) ? String(v[key]) : typeof v === 'string' ? v : JSON.stringify(v));
  if (at === 'packages') return (v) => (typeof v === 'string' ? v.split('=')[0]! : JSON.stringify(v));
  return (v) => (typeof v === 'string' ? v : JSON.stringify(v));
}

function mergeLists(base: unknown[], over: unknown[], bl: Origin, ol: Origin, at: string, issues: MergeIssue[]) {
  const bo = bl.items ?? [];
  const oo = ol.items ?? [];
  const identity = identityFor(at);
  const inherited = base.map(identity);
  const out: Array<{ v: unknown; o: Origin }> = base.map((v, i) => ({ v, o: bo[i]! }));
  over.forEach((v, i) => {
    if (isRemoval(v)) {
      const removed = v.slice(1);
      const before = out.length;
      for (let j = out.length - 1; j >= 0; j--) if (identity(out[j]!.v) === removed) out.splice(j, 1);
      if (out.length === before) issues.push(unmatched(v, oo[i]!, at, inherited));
      return;
    }
    const s = stripRemovals(v, oo[i]!, issues);
    const id = identity(s.value);
    const existing = out.findIndex((e) => identity(e.v) === id);
    if (existing >= 0) out[existing] = { v: s.value, o: s.origin };
    else out.push({ v: s.value, o: s.origin });
  });
  return { value: out.map((e) => e.v), origin: { ...ol, items: out.map((e) => e.o) } };
}

/**
 * A value taken whole from one file (the root recipe, a key its parent lacks, a replacing list item):
 * any "!x" in it has nothing inherited to remove. Reports each and leaves it out, so the schema does
 * not also complain about it.
 */
export function stripRemovals(value: unknown, origin: Origin, issues: MergeIssue[], inherited: string[] = []): { value: unknown; origin: Origin } {
  const at = formatAt(origin.path);
  const fallback = Array.isArray(value) && value.some(isRemoval) && !origin.path.some((p) => typeof p === 'number') ? defaultListAt(at) : undefined;
  if (fallback) {
    // nothing inherited sets this list: its removals apply to the default (`disk: {boot: ["!bios"]}`)
    return mergeLists(fallback, value as unknown[], { ...origin, items: fallback.map(() => origin) }, origin, at, issues);
  }
  if (Array.isArray(value)) {
    const keep: Array<{ v: unknown; o: Origin }> = [];
    value.forEach((v, i) => {
      const o = origin.items?.[i] ?? origin;
      if (isRemoval(v)) issues.push(unmatched(v, o, at, inherited));
      else {
        const s = stripRemovals(v, o, issues);
        keep.push({ v: s.value, o: s.origin });
      }
    });
    return { value: keep.map((k) => k.v), origin: { ...origin, items: keep.map((k) => k.o) } };
  }
  if (isObj(value)) {
    const out: Obj = {};
    const fields: Record<string, Origin> = {};
    for (const [k, v] of Object.entries(value)) {
      const s = stripRemovals(v, origin.fields?.[k] ?? origin, issues);
      out[k] = s.value;
      fields[k] = s.origin;
    }
    return { value: out, origin: { ...origin, fields } };
  }
  return { value, origin };
}

function unmatched(item: string, origin: Origin, at: string, inherited: string[]): MergeIssue {
  const name = item.slice(1);
  const guess = closest(name, inherited);
  const hint = guess ? `did you mean "!${guess}"?`
    : inherited.length ? `${at} holds: ${inherited.slice(0, 8).join(', ')}${inherited.length > 8 ? ', ...' : ''}`
    : `"!x" removes an item this recipe inherits through extends (or from the field's default); ${at || 'this list'} inherits nothing here`;
  return { origin, message: `"${item}" removes nothing: no inherited ${at || 'item'} matches "${name}"`, hint };
}

/** `cloud-init.datasources` for the path of a list as written (item indices dropped). */
function formatAt(path: Path): string {
  return path.filter((p) => typeof p === 'string').join('.');
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
