import { AppError } from '../errors.ts';

/** One problem found in a recipe, pointing at the file, line and column where it was written. */
export interface RecipeIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}

export type Path = ReadonlyArray<string | number>;

/** `packages[3]`, `cloud-init.datasources[0]`, or `(top level)` for the root. */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

export function formatIssue(i: RecipeIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.path}: ${i.message}` + (i.hint ? `\n    hint: ${i.hint}` : '');
}

/** All issues of a recipe at once, so the user fixes them in one pass. */
export class RecipeError extends AppError {
  readonly issues: RecipeIssue[];
  constructor(issues: RecipeIssue[]) {
    const n = issues.length;
    super('recipe.invalid', `recipe has ${n} problem${n === 1 ? '' : 's'}:\n` + issues.map(formatIssue).join('\n'), {
      hint: 'fix the lines above; `herd schema` prints the JSON Schema of the recipe format',
      details: issues,
    });
    this.name = 'RecipeError';
    this.issues = issues;
  }
}
