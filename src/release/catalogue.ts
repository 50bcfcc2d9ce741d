import { constants } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';

/**
 * The recipe catalogue the service builds from: `<id>.yaml` files in one folder the operator chose
 * (`herd serve --recipes DIR`; default the repository's recipes/). The API names recipes by id only and
 * never takes a path, so a request cannot make the server read any other file.
 */
export const DEFAULT_RECIPES_DIR = fileURLToPath(new URL('../../recipes/', import.meta.url));
export const RECIPE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * `<dir>/<id>.yaml` as a real path, checked: the id is a plain name, the file is a regular file (not a
 * symlink) and its real path stays inside the catalogue folder. Errors say which id, never what a file holds.
 */
export async function resolveCatalogueRecipe(dir: string, id: string): Promise<string> {
  if (!RECIPE_ID.test(id)) {
    throw new AppError('catalogue.bad_id', `"${id.slice(0, 80)}" is not a catalogue recipe id`, { hint: 'lower-case letters, digits and -, e.g. base' });
  }
  const notInCatalogue = () => new AppError('catalogue.unknown_recipe', `no recipe "${id}" in the catalogue`, {
    hint: 'name a recipe of the server\'s catalogue (recipes/<id>.yaml in its --recipes folder)',
  });
  let root: string;
  try {
    root = await realpath(resolve(dir));
  } catch {
    throw new AppError('catalogue.missing', 'the recipe catalogue folder is missing', { kind: 'dependency', hint: 'start herd serve with --recipes DIR' });
  }
  const path = join(root, `${id}.yaml`);
  try {
    if (!(await lstat(path)).isFile()) throw notInCatalogue();
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await fh.stat()).isFile()) throw notInCatalogue();
      const real = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => realpath(path));
      if (!real.startsWith(root + sep)) throw notInCatalogue();
      return real;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw notInCatalogue();
  }
}
