import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { AppError, formatError } from '../errors.ts';
import { RecipeError, type RecipeIssue } from '../recipe/issues.ts';
import { loadRecipe } from '../recipe/load.ts';
import type { Recipe } from '../recipe/schema.ts';
import { parseSize } from '../recipe/size.ts';
import { readYamlSource } from '../recipe/yaml-source.ts';
import { RECIPE_ID, resolveCatalogueRecipe } from './catalogue.ts';

/**
 * One `<id>.yaml` of the catalogue folder, loaded: the recipe when it lints, and every problem that keeps it
 * out of the catalogue (lint errors, no catalog block of its own, a title inherited from its parent, a
 * symlink, a parent outside the folder), each with file:line and a hint. One bad recipe never hides the others.
 */
export interface CatalogueEntry {
  id: string;
  /** The recipe file (absolute). */
  file: string;
  recipe?: Recipe;
  /** Id of the catalogue recipe it extends, if any. */
  extends?: string;
  problems: RecipeIssue[];
}

/** Every `*.yaml` of the folder, sorted by id. */
export async function readCatalogue(dir: string): Promise<CatalogueEntry[]> {
  let root: string;
  try {
    root = realpathSync(resolve(dir));
  } catch {
    throw new AppError('catalogue.missing', `the recipe catalogue folder ${dir} does not exist`, { hint: 'pass --recipes DIR, a folder of <id>.yaml recipes' });
  }
  const ids = readdirSync(root).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  const entries: CatalogueEntry[] = [];
  for (const id of ids) entries.push(await readEntry(root, id));
  return entries;
}

/**
 * readCatalogue for a server: the folder is read again only when one of its recipe files changed (name, size,
 * mtime or inode), so anonymous catalogue requests cost a directory listing, not a parse of every recipe.
 */
export function catalogueReader(dir: string): () => Promise<CatalogueEntry[]> {
  let last: { key: string; entries: Promise<CatalogueEntry[]> } | undefined;
  return async () => {
    const key = fingerprint(dir);
    if (last?.key !== key) last = { key, entries: readCatalogue(dir) };
    const mine = last;
    try {
      return await mine.entries;
    } catch (e) {
      if (last === mine) last = undefined;
      throw e;
    }
  };
}

function fingerprint(dir: string): string {
  let root: string;
  try {
    root = realpathSync(resolve(dir));
  } catch {
    return 'missing';
  }
  return readdirSync(root).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const st = lstatSync(`${root}${sep}${f}`, { throwIfNoEntry: false });
    return st ? `${f}:${st.ino}:${st.size}:${st.mtimeMs}` : f;
  }).join('\n');
}

async function readEntry(root: string, id: string): Promise<CatalogueEntry> {
  const file = `${root}${sep}${id}.yaml`;
  const problem = (message: string, hint: string, at: Partial<RecipeIssue> = {}): CatalogueEntry =>
    ({ id, file, problems: [{ file, line: 1, column: 1, path: '(file)', message, hint, ...at }] });
  if (!RECIPE_ID.test(id)) return problem(`"${id}" is not a catalogue recipe id`, 'name the file <id>.yaml with lower-case letters, digits and -');
  let real: string;
  try {
    real = await resolveCatalogueRecipe(root, id);
  } catch (e) {
    const link = lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink();
    return problem(link ? 'is a symlink; the catalogue holds regular files only' : `is not a regular file in the catalogue folder (${(e as Error).message})`,
      link ? 'copy the recipe into the folder, or write a recipe here that `extends:` it' : 'catalogue recipes are plain <id>.yaml files');
  }
  let recipe: Recipe;
  let chain: string[];
  try {
    ({ recipe, chain } = loadRecipe(real));
  } catch (e) {
    if (e instanceof RecipeError) return { id, file, problems: e.issues };
    return problem(formatError(e), 'run `herd lint` on it');
  }
  const entry: CatalogueEntry = { id, file, recipe, problems: [] };
  const parents = chain.slice(1).map((p) => resolve(p));
  const outside = parents.find((p) => !safeRealpath(p).startsWith(root + sep));
  if (outside) {
    return { ...entry, recipe: undefined, problems: [at(real, ['extends'], `extends ${outside}, which is outside the catalogue folder`, 'a catalogue recipe extends only recipes of its own folder')] };
  }
  if (parents[0]) entry.extends = basename(parents[0]).replace(/\.yaml$/, '');
  entry.problems.push(...ownCatalogBlock(real, parents[0]));
  return entry;
}

/**
 * Every catalogue recipe writes its own catalog block: a child inherits its parent's block when it has none,
 * and would then appear twice under the parent's title. At least title and summary must be the child's own,
 * and its title must differ from the parent's.
 */
function ownCatalogBlock(file: string, parent?: string): RecipeIssue[] {
  const { source } = readYamlSource(file);
  if (!source) return [];
  const own = (source.value as Record<string, any>).catalog;
  const hint = 'write a catalog block in this recipe: title, summary, use-cases, personas, platforms (a child replaces its parent\'s)';
  if (!own || typeof own !== 'object') return [at(file, [], 'has no catalog block of its own', hint)];
  const missing = ['title', 'summary'].filter((k) => own[k] === undefined);
  if (missing.length) return [at(file, ['catalog'], `catalog block does not set ${missing.join(' and ')} (inherited from the recipe it extends)`, hint)];
  if (!parent) return [];
  let parentTitle: string | undefined;
  try {
    parentTitle = loadRecipe(parent).recipe.catalog?.title;
  } catch {
    return []; // the child's own load already failed on it
  }
  return own.title === parentTitle
    ? [at(file, ['catalog', 'title'], `catalog.title "${own.title}" is the title of ${basename(parent)}, the recipe it extends`, 'give each catalogue image a title of its own')]
    : [];
}

function at(file: string, path: string[], message: string, hint: string): RecipeIssue {
  const { source } = readYamlSource(file);
  const pos = source?.locate(path, true) ?? { file, line: 1, column: 1 };
  return { ...pos, file, path: path.join('.') || '(top level)', message, hint };
}

function safeRealpath(p: string): string {
  try { return realpathSync(p); } catch { return dirname(p); }
}

/** The size budgets (bytes) of the formats the recipe writes: an inherited qcow2 budget means nothing to a container-only recipe. */
export function budgetsOf(r: CatalogueEntry['recipe']): { qcow2?: number; oci?: number } {
  const b = r?.['size-budget'];
  const out: { qcow2?: number; oci?: number } = {};
  if (b?.qcow2 && r!.outputs.includes('qcow2')) out.qcow2 = parseSize(b.qcow2);
  if (b?.oci && r!.outputs.includes('oci')) out.oci = parseSize(b.oci);
  return out;
}
