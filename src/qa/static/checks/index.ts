import type { StaticCheck } from '../context.ts';
import { sshHostKeys } from './a01-ssh-host-keys.ts';
import { authorizedKeys } from './a02-authorized-keys.ts';
import { secrets } from './a03-secrets.ts';
import { rootLocked } from './a04-root-locked.ts';
import { accounts } from './a05-accounts.ts';
import { machineId } from './a06-machine-id.ts';
import { bootState } from './a07-boot-state.ts';
import { cloudInitState } from './a08-cloud-init-state.ts';
import { buildLeftovers } from './a09-build-leftovers.ts';
import { cloudInitConfig } from './a10-cloud-init-config.ts';
import { packageSignatures } from './a11-package-signatures.ts';
import { permissions } from './a12-permissions.ts';
import { osRelease } from './a13-os-release.ts';
import { footprint } from './a14-footprint.ts';
import { sshdPolicy } from './a15-sshd-policy.ts';
import { cloudInitDatasource } from './a16-cloud-init-datasource.ts';
import { diskLayout } from './a17-disk-layout.ts';

/** Every static check, in report order. Adding a check = one file + one line here. */
export const staticChecks: readonly StaticCheck[] = [
  sshHostKeys, authorizedKeys, secrets, rootLocked, accounts, machineId, bootState, cloudInitState,
  buildLeftovers, cloudInitConfig, packageSignatures, permissions, osRelease, footprint, sshdPolicy,
  cloudInitDatasource, diskLayout,
];
