import type { InstalledPackage } from '../backends/package-managers/package-manager.ts';
import { AppError } from '../errors.ts';
import {
  type CatalogEntry, DEFAULT_QA_SUITES, Manifest as ManifestSchema, MANIFEST_SCHEMA_VERSION, type Manifest as ManifestShape, type ManifestOutput as ManifestOutputSchema,
} from '../manifest/manifest-schema.ts';
import type { Plan } from '../plan/plan-types.ts';
import type { LoadedRecipe } from '../recipe/load.ts';
import type { Resolved } from '../resolve/resolve.ts';
import type { StepResult } from './reporter.ts';
import type { z } from 'zod';

export type ManifestOutput = z.infer<typeof ManifestOutputSchema> & { platform: string; allocated: number };

/**
 * manifest.json as the engine writes it: the shared schema (src/manifest/manifest-schema.ts) with the
 * fields every build fills in made required.
 */
export type Manifest = ManifestShape & Required<Pick<ManifestShape, 'description' | 'version' | 'distribution' | 'planDigest' |
  'sourceDateEpoch' | 'footprint' | 'ssh' | 'cloudInit' | 'sizes' | 'qaSuites' | 'steps' | 'build'>> & { outputs: ManifestOutput[] };

function catalogEntry(c: NonNullable<LoadedRecipe['recipe']['catalog']>): CatalogEntry {
  return {
    title: c.title, summary: c.summary, useCases: c['use-cases'], personas: c.personas, platforms: c.platforms,
    ...(c.stack ? { stack: c.stack } : {}), ...(c.notes ? { notes: c.notes } : {}),
  };
}

export function buildManifest(a: {
  loaded: LoadedRecipe; resolved: Resolved; plan: Plan; planDigest: string; packages: InstalledPackage[];
  treeBytes: number; rawAllocatedBytes: number; outputs: ManifestOutput[]; steps: StepResult[];
  startedAt: Date; seconds: number; tools: Record<string, string>; sizeReport?: { file: string; sha256: string };
}): Manifest {
  const r = a.loaded.recipe;
  const manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION, name: r.name, description: r.description, version: a.resolved.imageVersion, architecture: r.architecture,
    distribution: { name: r.distribution.name, release: r.distribution.release, codename: a.resolved.codename },
    recipeDigest: a.loaded.digest, planDigest: a.planDigest, sourceDateEpoch: a.resolved.sourceDateEpoch,
    archive: a.resolved.suites, packages: a.packages, footprint: r.footprint,
    ssh: { passwordAuthentication: r.ssh['password-authentication'], rootLogin: r.ssh['permit-root-login'], hostKeyTypes: r.ssh['host-key-types'] },
    cloudInit: { datasources: r['cloud-init'].datasources, defaultUser: r['cloud-init']['default-user'] },
    sizes: { treeBytes: a.treeBytes, rawAllocatedBytes: a.rawAllocatedBytes },
    ...(a.sizeReport ? { sizeReport: a.sizeReport } : {}),
    qaSuites: [...new Set([...DEFAULT_QA_SUITES, ...r.qa.suites])],
    ...(r.catalog ? { catalog: catalogEntry(r.catalog) } : {}),
    outputs: a.outputs, steps: a.steps,
    build: { startedAt: a.startedAt.toISOString(), seconds: Math.round(a.seconds * 10) / 10, tools: a.tools },
  };
  // The writer checks what it writes against the schema publish and QA read, so they cannot drift apart.
  const checked = ManifestSchema.safeParse(manifest);
  if (!checked.success) {
    throw new AppError('build.bad_manifest', `the manifest this build wrote does not match its schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
      kind: 'internal', hint: 'this is a bug in herd; report it with the recipe',
    });
  }
  return manifest as Manifest;
}
