import { readFileSync } from 'node:fs';
import type { LoadedRecipe } from '../recipe/load.ts';

/**
 * What the planner needs beyond the recipe's text, read once by the caller: the bytes of every file
 * the recipe adds from disk (`files[].source`). The planner itself does no I/O, so the same inputs
 * always give the same plan and `herd plan` can never depend on when it runs.
 */
export interface PlanInputs {
  /** files[].source (absolute path) → its content. */
  fileSources: Record<string, Buffer>;
}

export function readPlanInputs(loaded: LoadedRecipe): PlanInputs {
  const fileSources: Record<string, Buffer> = {};
  for (const f of loaded.recipe.files) if (f.source !== undefined) fileSources[f.source] = readFileSync(f.source);
  return { fileSources };
}
