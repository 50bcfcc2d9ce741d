import type { Plan } from '../plan/plan-types.ts';
import type { LoadedRecipe } from '../recipe/load.ts';
import type { Resolved } from '../resolve/resolve.ts';
import type { InstalledPackage } from '../backends/package-managers/package-manager.ts';
import type { StepResult } from './reporter.ts';

export interface ManifestOutput { format: string; file: string; platform: string; size: number; allocated: number; sha256: string; uncompressedSha256?: string }

/** manifest.json: everything needed to know what is in the image and to diff two releases. Versioned from day one. */
export interface Manifest {
  schemaVersion: 1;
  name: string;
  description: string;
  version: string;
  architecture: string;
  distribution: { name: string; release: string; codename: string };
  recipeDigest: string;
  planDigest: string;
  sourceDateEpoch: number;
  archive: Resolved['suites'];
  packages: InstalledPackage[];
  footprint: LoadedRecipe['recipe']['footprint'];
  ssh: { passwordAuthentication: boolean; rootLogin: string; hostKeyTypes: string[] };
  cloudInit: { datasources: string[]; defaultUser: string };
  sizes: { treeBytes: number; rawAllocatedBytes: number };
  outputs: ManifestOutput[];
  steps: StepResult[];
  build: { startedAt: string; seconds: number; tools: Record<string, string> };
}

export function buildManifest(a: {
  loaded: LoadedRecipe; resolved: Resolved; plan: Plan; planDigest: string; packages: InstalledPackage[];
  treeBytes: number; rawAllocatedBytes: number; outputs: ManifestOutput[]; steps: StepResult[];
  startedAt: Date; seconds: number; tools: Record<string, string>;
}): Manifest {
  const r = a.loaded.recipe;
  return {
    schemaVersion: 1, name: r.name, description: r.description, version: a.resolved.imageVersion, architecture: r.architecture,
    distribution: { name: r.distribution.name, release: r.distribution.release, codename: a.resolved.codename },
    recipeDigest: a.loaded.digest, planDigest: a.planDigest, sourceDateEpoch: a.resolved.sourceDateEpoch,
    archive: a.resolved.suites, packages: a.packages, footprint: r.footprint,
    ssh: { passwordAuthentication: r.ssh['password-authentication'], rootLogin: r.ssh['permit-root-login'], hostKeyTypes: r.ssh['host-key-types'] },
    cloudInit: { datasources: r['cloud-init'].datasources, defaultUser: r['cloud-init']['default-user'] },
    sizes: { treeBytes: a.treeBytes, rawAllocatedBytes: a.rawAllocatedBytes },
    outputs: a.outputs, steps: a.steps,
    build: { startedAt: a.startedAt.toISOString(), seconds: Math.round(a.seconds * 10) / 10, tools: a.tools },
  };
}
