import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { recipeSchema, type Recipe } from './schema.ts';
import { formatPath, RecipeError, type Path, type RecipeIssue } from './issues.ts';
import { parseYamlSource, readYamlSource, type YamlSource } from './yaml-source.ts';
import { locateMerged, mergeRecipes, originOf, stripRemovals, type MergeIssue, type Origin } from './merge.ts';
import { closest, knownKeys } from './known-keys.ts';
import { checkRecipe } from './check.ts';
import { canonicalJson } from '../plan/hash.ts';

export interface LoadedRecipe {
  recipe: Recipe;
  /** sha256 of the normalised recipe and the content of every file it adds: the identity of its inputs. */
  digest: string;
  /** Digest of only what goes into the disk (not outputs, budget, description, catalog or QA suites): seeds the disk's UUIDs. */
  imageDigest: string;
  /** The recipe files read, child first (the file itself, then what it extends). */
  chain: string[];
}

const MAX_DEPTH = 16;

/** parse (every file of the `extends` chain) → merge → validate → cross-check; throws RecipeError with every issue. */
export function loadRecipe(file: string): LoadedRecipe {
  return loadChain(readChain(resolve(file)));
}

/**
 * loadRecipe for a recipe held as text (a template submitted to the library): issues name `name` with the
 * line and column in the text. Its `extends` is never resolved against a folder: the caller passes the file
 * it resolved the value to (`extendsFile`), and without one a text that extends anything is refused.
 */
export function loadRecipeText(text: string, o: { name: string; extendsFile?: string }): LoadedRecipe {
  return loadChain(readChain(o.name, { text, extendsFile: o.extendsFile }));
}

function loadChain({ sources, issues }: { sources: YamlSource[]; issues: RecipeIssue[] }): LoadedRecipe {
  if (issues.length) throw new RecipeError(issues);
  const mergeIssues: MergeIssue[] = [];
  // the root recipe inherits nothing: a "!x" in it removes nothing
  let merged: { value: unknown; origin: Origin } = stripRemovals(sources[0]!.value, originOf(sources[0]!, sources[0]!.value), mergeIssues);
  for (const src of sources.slice(1)) merged = mergeRecipes(merged.value, src.value, merged.origin, originOf(src, src.value), '', mergeIssues);
  if (mergeIssues.length) {
    throw new RecipeError(mergeIssues.map((m) => issueIn(m.origin.src, m.origin.path, m.message, m.hint)));
  }
  const value = { ...(merged.value as Record<string, unknown>) };
  delete value.extends;

  const parsed = recipeSchema.safeParse(value);
  if (!parsed.success) throw new RecipeError(zodIssues(parsed.error, merged.origin));
  const checkIssues = checkRecipe(parsed.data).map(({ path, message, hint }) => located(merged.origin, path, message, hint));
  if (checkIssues.length) throw new RecipeError(checkIssues);
  // presentation (catalog) and testing (qa) do not change a byte of the disk, so they do not seed its UUIDs
  const { outputs: _o, 'size-budget': _b, description: _d, catalog: _c, qa: _q, ...image } = parsed.data;
  return { recipe: parsed.data, digest: recipeDigest(parsed.data), imageDigest: recipeDigest(image as Recipe), chain: sources.map((s) => s.file).reverse() };
}

/**
 * Reads the recipe and its ancestors; returns them root ancestor first, with paths made absolute. With
 * `fromText`, the first recipe is that text (named `start`) and its parent is `fromText.extendsFile`.
 */
function readChain(start: string, fromText?: { text: string; extendsFile?: string }): { sources: YamlSource[]; issues: RecipeIssue[] } {
  const sources: YamlSource[] = [];
  const seen: string[] = [];
  let file: string | undefined = start;
  while (file) {
    if (seen.includes(file) || seen.length >= MAX_DEPTH) {
      const child = sources[0]!;
      return { sources, issues: [{ ...(child.locate(['extends']) ?? { file: child.file, line: 1, column: 1 }), path: 'extends',
        message: seen.includes(file) ? `extends forms a cycle: ${[...seen, file].map(display).join(' → ')}` : `extends chain deeper than ${MAX_DEPTH}`,
        hint: 'a recipe must not extend itself, directly or through others' }] };
    }
    seen.push(file);
    const text = fromText && sources.length === 0;
    const { source, issues } = text ? parseYamlSource(fromText.text, file) : readYamlSource(file, display(file));
    if (!source) return { sources, issues };
    if (typeof source.value !== 'object' || Array.isArray(source.value)) {
      return { sources, issues: [{ file: text ? file : display(file), line: 1, column: 1, path: '(top level)', message: 'a recipe is a YAML mapping', hint: 'start with `name: ...`' }] };
    }
    const value = source.value as Record<string, unknown>;
    // a text has no folder: a files[].source in it would read whatever the process's working directory holds
    const sourced = text ? textFileSources(source, value) : [];
    if (sourced.length) return { sources, issues: sourced };
    absolutiseSources(value, dirname(file));
    sources.unshift(source);
    const ext = value.extends;
    if (ext === undefined) break;
    if (typeof ext !== 'string') return { sources, issues: [issueIn(source, ['extends'], 'must be a path to another recipe')] };
    if (text && !fromText.extendsFile) return { sources, issues: [issueIn(source, ['extends'], 'this recipe cannot extend another here')] };
    file = text ? fromText.extendsFile! : resolve(dirname(file), ext);
    if (!existsSync(file)) return { sources, issues: [issueIn(source, ['extends'], `no such recipe: ${display(file)}`, 'the path is relative to this recipe\'s folder')] };
  }
  return { sources, issues: [] };
}

function textFileSources(src: YamlSource, value: Record<string, unknown>): RecipeIssue[] {
  if (!Array.isArray(value.files)) return [];
  return value.files.flatMap((f, i) => (f && typeof f === 'object' && 'source' in f
    ? [issueIn(src, ['files', i, 'source'], 'a recipe given as text cannot add files by source', 'write the file inline with content:')] : []));
}

/** `files[].source` is relative to the recipe that names it; fix that before merging loses which file it was. */
function absolutiseSources(value: Record<string, unknown>, dir: string) {
  if (!Array.isArray(value.files)) return;
  for (const f of value.files) {
    if (f && typeof f === 'object' && typeof (f as any).source === 'string' && !isAbsolute((f as any).source)) {
      (f as any).source = resolve(dir, (f as any).source);
    }
  }
}

function zodIssues(error: z.ZodError, origin: Origin): RecipeIssue[] {
  const out: RecipeIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(recipeSchema, issue.path as Path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const hint = guess ? `did you mean "${guess}"?` : `known keys here: ${known.join(', ')}`;
        out.push(located(origin, [...(issue.path as Path), key], `unknown key "${key}"`, hint, true));
      }
    } else {
      out.push(located(origin, issue.path as Path, issue.message, hintFor(issue)));
    }
  }
  return out;
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'invalid_value' && 'values' in issue) return `one of: ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return 'this field is required';
  return undefined;
}

function located(origin: Origin, path: Path, message: string, hint?: string, key = false): RecipeIssue {
  const at = locateMerged(origin, path);
  const pos = at.src.locate(at.path, key && at.exact) ?? { file: at.src.file, line: 1, column: 1 };
  return { ...pos, path: formatPath(path), message, hint };
}

function issueIn(src: YamlSource, path: Path, message: string, hint?: string): RecipeIssue {
  return { ...(src.locate(path) ?? { file: src.file, line: 1, column: 1 }), path: formatPath(path), message, hint };
}

function recipeDigest(recipe: Recipe): string {
  const h = createHash('sha256').update(canonicalJson({ ...recipe, files: recipe.files.map((f) => ({ ...f, source: undefined })) }));
  for (const f of recipe.files) if (f.source) h.update(f.path).update(readFileSync(f.source));
  return h.digest('hex');
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
