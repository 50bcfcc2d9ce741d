/**
 * What the planner needs beyond the recipe's text, read once by the caller (engine/plan-inputs.ts): the
 * bytes of every file the recipe adds from disk (`files[].source`). The planner itself does no I/O, so the
 * same inputs always give the same plan and `herd plan` can never depend on when it runs.
 */
export interface PlanInputs {
  /** files[].source (absolute path) → its content. */
  fileSources: Record<string, Buffer>;
}
