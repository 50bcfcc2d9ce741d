import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/**
 * Live checks of a recipe typed in the portal: YAML syntax, the recipe JSON Schema (the one `herd schema`
 * prints) and the library's own rules for templates, each problem at a line and column. Pure (no DOM, no
 * fetch), so the same code runs in the browser and under `node --test`.
 */

export interface Problem {
  line: number;
  column: number;
  /** Where in the recipe, e.g. `files[0].source`; `(yaml)` for syntax errors. */
  path: string;
  message: string;
  /** `error`: the schema rejects it; `hint`: the server's template rules will (the server decides). */
  severity: 'error' | 'hint';
}

/** The shape of an ajv error this module reads (a narrow port of ajv's ErrorObject). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** An ajv-compiled validator (runtime-compiled in tests, precompiled standalone code in the browser). */
export interface RecipeValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

export interface ValidateOptions {
  /** Recipe ids a template may extend (the official tier); without it, `extends` is not checked. */
  officialIds?: readonly string[];
  /** The JSON Schema itself: with it, an unknown key gets a "did you mean". */
  schema?: unknown;
}

type Segment = string | number;

export function recipeProblems(text: string, validate: RecipeValidator, o: ValidateOptions = {}): Problem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length) {
    return doc.errors.map((e) => ({ ...at(e.pos[0]), path: '(yaml)', message: e.message.split('\n')[0] ?? e.message, severity: 'error' as const }));
  }
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return [{ line: 1, column: 1, path: '(top level)', message: 'a recipe is a YAML mapping (start with `name: ...`)', severity: 'error' }];
  }
  const locate = (path: Segment[], key = false) => {
    const range = nodeRange(doc.contents as Node | null, path, key);
    return range ? at(range) : { line: 1, column: 1 };
  };
  const inherits = typeof (value as Record<string, unknown>).extends === 'string';
  const problems = validate(value) ? [] : schemaProblems(validate.errors ?? [], locate, inherits, o.schema);
  problems.push(...templateHints(value as Record<string, unknown>, locate, o));
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Start offset of the node at `path` (of its key when `key` is set, or when the value is empty). */
function nodeRange(root: Node | null, path: Segment[], key: boolean): number | undefined {
  let node: Node | null | undefined = root;
  let keyNode: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg] as Node;
      keyNode = undefined;
    } else break;
  }
  const target = (key && keyNode) || node || keyNode;
  return target?.range?.[0];
}

/** `/files/0/path` → ['files', 0, 'path'] (JSON Pointer, RFC 6901). */
export function pointerPath(pointer: string): Segment[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

export function formatPath(path: Segment[]): string {
  if (!path.length) return '(top level)';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');
}

function schemaProblems(errors: SchemaError[], locate: (p: Segment[], key?: boolean) => { line: number; column: number }, inherits: boolean, schema: unknown): Problem[] {
  const kept = errors.filter((e) => !e.schemaPath.startsWith('#/$defs/removal/'));
  const out: Problem[] = [];
  for (const e of kept) {
    const path = pointerPath(e.instancePath);
    // an anyOf summary says less than the branch errors under it; keep it only when it is alone
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && kept.some((k) => k !== e && k.keyword !== e.keyword && k.instancePath.startsWith(e.instancePath))) continue;
    // a mapping outside a list may get the missing key from the recipe it extends: the merged recipe is checked on the server
    if (e.keyword === 'required' && inherits && !path.some((s) => typeof s === 'number')) continue;
    const p = describe(e, path, schema);
    if (out.some((x) => x.path === formatPath(p.path) && x.message === p.message)) continue;
    out.push({ ...locate(p.path, p.key), path: formatPath(p.path), message: p.message, severity: 'error' });
  }
  return out;
}

function describe(e: SchemaError, path: Segment[], schema: unknown): { path: Segment[]; key: boolean; message: string } {
  const param = (k: string) => String(e.params[k] ?? '');
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = param('additionalProperty');
      const near = closest(name, knownKeys(schema, e.schemaPath));
      return { path: [...path, name], key: true, message: `unknown key "${name}"${near ? ` (did you mean "${near}"?)` : ''}` };
    }
    case 'propertyNames':
      return { path: [...path, param('propertyName')], key: true, message: `key "${param('propertyName')}" is not allowed here` };
    case 'required':
      return { path, key: true, message: `missing required key "${param('missingProperty')}"` };
    case 'enum':
      return { path, key: false, message: `must be one of: ${(e.params.allowedValues as unknown[] | undefined)?.map(String).join(', ') ?? '?'}` };
    case 'const':
      return { path, key: false, message: `must be ${JSON.stringify(e.params.allowedValue)}` };
    default:
      return { path, key: false, message: e.message ?? e.keyword };
  }
}

/** The property names of the schema object holding the `additionalProperties` that failed. */
function knownKeys(schema: unknown, schemaPath: string): string[] {
  let node = schema;
  for (const seg of pointerPath(schemaPath.replace(/^#/, '')).slice(0, -1)) {
    if (!node || typeof node !== 'object') return [];
    node = (node as Record<string, unknown>)[String(seg)];
  }
  const props = (node as { properties?: object } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d <= Math.max(2, Math.floor(word.length / 3)) && (!best || d < best.d)) best = { w: c, d };
  }
  return best?.w;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Official recipe ids, as the server's catalogue names them (src/release/catalogue.ts RECIPE_ID). */
const RECIPE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Where the build's own commands load code from: a copy of src/library/template-recipe.ts's list (test/web/recipe-validate.test.ts keeps them equal); a template may not write there. */
export const BUILD_TIME_CODE = [/^\/usr(\/|$)/, /^\/(s?bin|lib[^/]*)(\/|$)/, /^\/etc\/ld\.so/, /^\/etc\/nsswitch\.conf$/, /^\/etc\/alternatives(\/|$)/];

/** The library's rules for submitted templates, as the server applies them; shown as hints, the server decides. */
function templateHints(recipe: Record<string, unknown>, locate: (p: Segment[], key?: boolean) => { line: number; column: number }, o: ValidateOptions): Problem[] {
  const hints: Problem[] = [];
  const hint = (path: Segment[], message: string) => hints.push({ ...locate(path), path: formatPath(path), message, severity: 'hint' });
  const ext = recipe.extends;
  if (ext !== undefined && (typeof ext !== 'string' || !RECIPE_ID.test(ext))) {
    hint(['extends'], 'extends names an official recipe by its id, never a path (e.g. `extends: base`)');
  } else if (typeof ext === 'string' && o.officialIds && !o.officialIds.includes(ext)) {
    const near = closest(ext, [...o.officialIds]);
    hint(['extends'], `"${ext}" is not an official recipe id${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  if (recipe.archive !== undefined) hint(['archive'], 'a template cannot choose its archive: it builds from the distribution\'s official one');
  if (Array.isArray(recipe.files)) {
    recipe.files.forEach((f: unknown, i) => {
      if (!f || typeof f !== 'object') return;
      if ('source' in f) hint(['files', i, 'source'], 'a template cannot read files on the server: write the file inline with `content`');
      const p = (f as { path?: unknown }).path;
      if (typeof p === 'string' && BUILD_TIME_CODE.some((re) => re.test(normalise(p)))) {
        hint(['files', i, 'path'], `a template cannot write ${p}: programs and loader settings the build runs live there`);
      }
    });
  }
  if (ext === undefined && recipe['size-budget'] === undefined) hint([], 'a template needs a size budget: add `size-budget: {qcow2: 300MiB}` or extend a recipe that has one');
  return hints;
}

/** posix.normalize for absolute paths: `/./usr//bin/../lib` → `/usr/lib`. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '..') out.pop();
    else if (seg && seg !== '.') out.push(seg);
  }
  return `/${out.join('/')}`;
}
