import type { Command } from 'commander';
import { registerBuild } from './build.ts';
import { registerLint } from './lint.ts';
import { registerSchema } from './schema.ts';
import { registerPlan } from './plan.ts';
import { registerDoctor } from './doctor.ts';
import { registerCache } from './cache.ts';
import { registerReleaseService } from './release-service.ts';
import { registerTest } from './test.ts';
import { registerRun } from './run.ts';
import { registerCatalog } from './catalog.ts';

/** Every `herd` subcommand registers itself here; one line each. */
export const commands: Array<(program: Command) => void> = [
  registerBuild,
  registerLint,
  registerSchema,
  registerPlan,
  registerDoctor,
  registerCache,
  registerReleaseService,
  registerTest,
  registerRun,
  registerCatalog,
];
