import { readFileSync } from 'node:fs';
import type { PlanInputs } from '../plan/plan-inputs.ts';
import type { LoadedRecipe } from '../recipe/load.ts';

/** Reads what the pure planner may not: the files a recipe adds from disk. */
export function readPlanInputs(loaded: LoadedRecipe): PlanInputs {
  const fileSources: Record<string, Buffer> = {};
  for (const f of loaded.recipe.files) if (f.source !== undefined) fileSources[f.source] = readFileSync(f.source);
  return { fileSources };
}
