import type { z } from 'zod';
import type { PlanStep } from '../plan/plan-types.ts';
import type { RunOptions } from '../backends/host/run-command.ts';

/** A finished step's folder in the cache: `tree/` for filesystem trees, files otherwise, plus meta.json. */
export interface StepArtifact {
  id: string;
  dir: string;
  meta: Record<string, unknown>;
}

export interface StageContext {
  step: PlanStep;
  inputs: StepArtifact[];
  /** Folder that becomes this step's cache entry once run() returns. */
  outDir: string;
  /** For tree stages: outDir/tree, already holding the input's tree (copied or moved by the engine). */
  tree: string;
  /** Shared across builds: downloaded packages. */
  packageCache: string;
  /** Facts to keep with the step (sizes, package list); written to meta.json. */
  meta: Record<string, unknown>;
  log(line: string): void;
  run(argv: string[], opts?: RunOptions): Promise<{ stdout: string }>;
}

/** A stage is a name, an options schema and one run function (osbuild's stage shape). */
export interface Stage<O = unknown> {
  name: string;
  /** 'tree' stages change a root filesystem tree; 'file' stages write files from their inputs. */
  produces: 'tree' | 'file';
  options: z.ZodType<O>;
  /** Always keep this step's tree in the cache (it is slow to remake), even when a later step could take it over. */
  keepOutput?: boolean;
  run(ctx: StageContext, options: O): Promise<void>;
}

export function defineStage<O>(stage: Stage<O>): Stage<O> {
  return stage;
}
