import type { Suite } from '../suite.ts';
import { stackRuntime } from '../checks/l01-stack-runtime.ts';
import { stackHello } from '../checks/l02-stack-hello.ts';

/**
 * Every language stack image (stack-python, stack-ruby…): one suite for all of them, driven by the
 * manifest's catalog.stack (language, version, frameworks), so a new variant needs no new QA code.
 */
export const stack = {
  description: 'language stacks: the runtime is the catalogued version; a hello-world per framework answers HTTP on localhost',
  checks: [stackRuntime, stackHello],
  containerChecks: [stackRuntime, stackHello],
} satisfies Suite;
