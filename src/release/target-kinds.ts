import type { TargetKinds } from './cloud-targets.ts';

/**
 * The kinds of cloud target the targets file may declare, each an adapter under src/backends/clouds/. A new
 * cloud is one entry here plus its adapter.
 */
export const TARGET_KINDS: TargetKinds = {};
