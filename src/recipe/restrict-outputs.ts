import { AppError } from '../errors.ts';
import { outputFormats, type OutputFormat } from './schema.ts';
import type { LoadedRecipe } from './load.ts';

/**
 * `herd build --formats raw,qcow2`: build only some of the recipe's outputs (a quick local build, or a
 * catalogue test run that needs a bootable disk, not every delivery format). The recipe's digest, and
 * so the disk's identity, stay those of the full recipe: a restricted build's raw disk is the same bytes
 * as the full build's. Strict (one recipe): naming a format the recipe does not write is an error.
 * Lenient (the catalogue): each recipe builds the named formats it has, or all of its own if none.
 */
export function parseFormats(list: string): OutputFormat[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(outputFormats as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length) {
    throw new AppError('cli.bad_formats', `--formats ${JSON.stringify(list)}: ${unknown.length ? `unknown format ${unknown.join(', ')}` : 'no format named'}`, {
      hint: `comma-separated, from: ${outputFormats.join(', ')}`,
    });
  }
  return [...new Set(names)] as OutputFormat[];
}

export function restrictOutputs(loaded: LoadedRecipe, formats: OutputFormat[], mode: 'strict' | 'lenient'): LoadedRecipe {
  const own = loaded.recipe.outputs;
  const missing = formats.filter((f) => !own.includes(f));
  if (mode === 'strict' && missing.length) {
    throw new AppError('cli.format_not_in_recipe', `the recipe ${loaded.recipe.name} does not write ${missing.join(', ')}`, {
      hint: `its outputs are ${own.join(', ')}; --formats picks among them`,
    });
  }
  const kept = own.filter((f) => formats.includes(f));
  return kept.length ? { ...loaded, recipe: { ...loaded.recipe, outputs: kept } } : loaded;
}
