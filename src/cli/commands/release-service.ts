import type { Command } from 'commander';
import { registerGc } from './gc.ts';
import { registerKeys } from './keys.ts';
import { registerPublish } from './publish.ts';
import { registerReleases } from './releases.ts';
import { registerServe } from './serve.ts';
import { registerTokens } from './tokens.ts';
import { registerUpdates } from './updates.ts';
import { registerRespin } from './respin.ts';
import { registerPublishCloud } from './publish-cloud.ts';
import { registerMirror } from './mirror.ts';
import { registerAccounts } from './accounts.ts';
import { registerVerify } from './verify.ts';
import { registerWorker } from './worker.ts';

/** The release service's commands, registered as one entry of the command table. */
export function registerReleaseService(program: Command): void {
  for (const register of [registerServe, registerWorker, registerPublish, registerVerify, registerKeys, registerReleases, registerTokens, registerAccounts, registerGc, registerUpdates, registerRespin, registerPublishCloud, registerMirror]) register(program);
}
