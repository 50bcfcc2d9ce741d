import { writeFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { parseDocument } from 'yaml';
import { AppError, isAppError } from '../errors.ts';
import { type Path, RecipeError, type RecipeIssue } from '../recipe/issues.ts';
import { type LoadedRecipe, loadRecipeText } from '../recipe/load.ts';
import { issueAt, parseYamlSource, type YamlSource } from '../recipe/yaml-source.ts';
import { RECIPE_ID, resolveCatalogueRecipe } from '../release/catalogue.ts';

/**
 * A community template is a recipe anyone with the contributor role submits, and its check builds and boots
 * it before any reviewer has read it. That is safe because a recipe is declarative: src/recipe/schema.ts has
 * no build-time scripts, hooks or commands (packages, files, users, services, cloud-init settings, disk,
 * outputs), and the stages run only Herd's own argv. What a recipe could still reach on the build server is
 * refused here, on top of the loader's checks (the same loader and schema as `herd lint`):
 * - `files[].source` reads a file of the build server, and `archive` points the build at any URL and at a
 *   keyring path on the build server: both refused (templates use the distribution's official archive);
 * - `extends` names an official catalogue recipe by id only (no path, no `..`);
 * - files under the paths the build's chroot commands load code or loader settings from (systemctl, useradd,
 *   modinfo run inside the tree after the files are written): refused, so a file never runs at build time.
 */
export const TEMPLATE_TEXT_MAX = 64 * 1024;
export const TEMPLATE_FILE_NAME = 'recipe.yaml';

export const BUILD_TIME_CODE = [/^\/usr(\/|$)/, /^\/(s?bin|lib[^/]*)(\/|$)/, /^\/etc\/ld\.so/, /^\/etc\/nsswitch\.conf$/, /^\/etc\/alternatives(\/|$)/];

export interface CheckedTemplate {
  loaded: LoadedRecipe;
  /** The official recipe it extends (id), if any. */
  extendsId: string | null;
  /** That recipe's file in the catalogue. */
  extendsFile?: string;
}

/** The submitted text checked as a whole; throws RecipeError (400, every issue with line:col) or a too-large error. */
export async function checkTemplateText(text: string, catalogueDir: string): Promise<CheckedTemplate> {
  if (Buffer.byteLength(text, 'utf8') > TEMPLATE_TEXT_MAX) {
    throw new AppError('library.recipe_too_large', `a template recipe is at most ${TEMPLATE_TEXT_MAX / 1024} KiB`, { kind: 'too_large', hint: 'a recipe extends an official one and adds what differs; it never embeds large files' });
  }
  const { source, issues } = parseYamlSource(text, TEMPLATE_FILE_NAME);
  if (!source) throw new RecipeError(issues);
  const guard = guardIssues(source);
  const ext = (source.value as Record<string, unknown>)?.extends;
  let extendsFile: string | undefined;
  if (typeof ext === 'string' && RECIPE_ID.test(ext)) {
    try {
      extendsFile = await resolveCatalogueRecipe(catalogueDir, ext);
    } catch (e) {
      if (!isAppError(e) || e.kind !== 'user') throw e;
      guard.push(issueAt(source, ['extends'], `"${ext}" is not an official catalogue recipe`, 'GET /api/library?tier=official lists them'));
    }
  }
  if (guard.length) throw new RecipeError(guard);
  let loaded: LoadedRecipe;
  try {
    loaded = loadRecipeText(text, { name: TEMPLATE_FILE_NAME, extendsFile });
  } catch (e) {
    // an issue in an official parent names its file, never the server's folder
    if (e instanceof RecipeError) throw new RecipeError(e.issues.map((i) => (i.file === TEMPLATE_FILE_NAME ? i : { ...i, file: `catalogue:${basename(i.file)}` })));
    throw e;
  }
  if (!Object.values(loaded.recipe['size-budget'] ?? {}).some(Boolean)) {
    throw new RecipeError([issueAt(source, ['size-budget'], 'a template needs a size budget (its own, or one inherited from the recipe it extends)', 'add size-budget: {qcow2: 300MiB}; the check fails the build above it')]);
  }
  return { loaded, extendsId: typeof ext === 'string' ? ext : null, extendsFile };
}

/** What the template's own text may not hold, every one at its line and column. */
function guardIssues(src: YamlSource): RecipeIssue[] {
  const v = src.value as Record<string, unknown>;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  const out: RecipeIssue[] = [];
  const add = (path: Path, message: string, hint: string) => out.push(issueAt(src, path, message, hint));
  if (v.extends !== undefined && (typeof v.extends !== 'string' || !RECIPE_ID.test(v.extends))) {
    add(['extends'], 'extends names an official catalogue recipe by its id, never a path', 'e.g. extends: base');
  }
  if (v.archive !== undefined) add(['archive'], 'a template cannot choose its archive (a URL and a keyring on the build server)', 'templates build from the distribution\'s official archive; remove archive:');
  if (Array.isArray(v.files)) {
    v.files.forEach((f, i) => {
      if (!f || typeof f !== 'object') return;
      if ('source' in f) add(['files', i, 'source'], 'a template cannot add a file of the build server', 'write the file inline with content:');
      const p = (f as { path?: unknown }).path;
      if (typeof p === 'string' && BUILD_TIME_CODE.some((re) => re.test(posix.normalize(p)))) {
        add(['files', i, 'path'], `a template cannot write ${p}: programs and loader settings the build runs live there`, 'install software as packages; write configuration under /etc');
      }
    });
  }
  return out;
}

/**
 * The stored text as a recipe file the engine builds: checked again (rules may have tightened since it was
 * submitted) and written to `dir` with `extends` set to the official recipe's file, so it resolves against
 * the catalogue wherever `dir` is. Returns the file's path.
 */
export async function writeTemplateRecipe(text: string, catalogueDir: string, dir: string): Promise<string> {
  const { extendsFile } = await checkTemplateText(text, catalogueDir);
  const doc = parseDocument(text);
  if (extendsFile) doc.set('extends', extendsFile);
  const file = join(dir, TEMPLATE_FILE_NAME);
  writeFileSync(file, String(doc), { mode: 0o600 });
  return file;
}
