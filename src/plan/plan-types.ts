import type { OutputFormat } from '../recipe/schema.ts';

/** One content-addressed step: its id is a hash of stage, options and input ids. */
export interface PlanStep {
  id: string;
  stage: string;
  title: string;
  options: unknown;
  inputs: string[];
}

export interface PlanOutput {
  format: OutputFormat;
  /** File name in the output folder. */
  file: string;
  /** The step whose cached file is this output. */
  step: string;
  platform: string;
}

/** What `herd plan` prints and `herd build` executes. Pure data: no I/O went into it beyond the resolved inputs. */
export interface Plan {
  schemaVersion: 1;
  name: string;
  imageVersion: string;
  recipeDigest: string;
  sourceDateEpoch: number;
  steps: PlanStep[];
  outputs: PlanOutput[];
  /** The step whose tree holds the final package database (for the manifest). */
  treeStep: string;
}
