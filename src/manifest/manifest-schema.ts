import { z } from 'zod';

/**
 * manifest.json, the one definition: the build engine writes it (and validates what it writes against
 * this schema), QA reads it (leniently, field by field, see `qaView`), and publish requires it. It lives
 * in a neutral module so the engine, QA and the release service can all import it without importing
 * each other. Versioned from day one: a reader refuses a `schemaVersion` it does not know.
 */
export const MANIFEST_SCHEMA_VERSION = 1;
export const SUPPORTED_MANIFEST_VERSIONS = [1];

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** A plain file name inside the build folder: no separators, no leading dot. */
export const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a plain file name inside the folder');
export const MANIFEST_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Where the QA gate leaves its report, relative to the build folder. */
export const QA_REPORT_PATH = 'qa/report.json';
/** The QA suites an image asks for; 'base' always runs. */
export const DEFAULT_QA_SUITES = ['base'];

export const ManifestOutput = z.object({
  format: z.string().regex(/^[a-z0-9][a-z0-9.]*$/, 'must be a format name such as qcow2 or raw.xz'),
  file: FileName,
  /** The cloud platform the file is for (generic, nocloud, ec2, gce, azure…). */
  platform: z.string().min(1).optional(),
  size: z.number().int().nonnegative(),
  allocated: z.number().int().nonnegative().optional(),
  sha256: Sha256,
  uncompressedSha256: Sha256.optional(),
  /** For an OCI image: the digest of its manifest, the image's identity in registries (`skopeo inspect` Digest). */
  ociManifestDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
});

// `herd build` writes `architecture` (and `source`); other tools write `arch`. Either is accepted.
export const ManifestPackage = z.object({
  name: z.string().min(1), version: z.string().min(1),
  arch: z.string().min(1).optional(), architecture: z.string().min(1).optional(), source: z.string().min(1).optional(),
}).refine((p) => p.arch ?? p.architecture, 'needs arch (or architecture)');

export const Footprint = z.object({
  docs: z.boolean().optional(), man: z.boolean().optional(), locales: z.array(z.string()).optional(),
}).passthrough();

export const SshSummary = z.object({
  passwordAuthentication: z.boolean().optional(), rootLogin: z.string().optional(), hostKeyTypes: z.array(z.string()).optional(),
});

/**
 * The QA verdict bound into the manifest by the QA gate: the report's own digest (so the report stored
 * with the release is the one that was judged) and the digest of the disk it tested (so the verdict is
 * about this image and no other).
 */
export const QaRecord = z.object({
  passed: z.boolean(),
  scope: z.enum(['static', 'boot', 'all']).optional(),
  testedAt: z.string().min(1),
  report: z.literal(QA_REPORT_PATH),
  reportSha256: Sha256,
  image: z.object({ file: FileName, sha256: Sha256 }),
  failed: z.array(z.string()).default([]),
});
export type QaRecord = z.infer<typeof QaRecord>;

/**
 * How the catalogue presents the image, copied from the recipe's `catalog` block so that feeds and the
 * portal need nothing but the manifest (ids are those of src/catalog/use-cases.ts and platforms.ts).
 */
export const CatalogEntry = z.object({
  title: z.string().min(1),
  summary: z.string().min(1),
  useCases: z.array(z.string().min(1)).min(1),
  personas: z.array(z.string().min(1)).default([]),
  platforms: z.array(z.string().min(1)).default([]),
  stack: z.object({ language: z.string().min(1), version: z.string().min(1), frameworks: z.array(z.string()).default([]) }).optional(),
  notes: z.string().optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const Manifest = z.object({
  schemaVersion: z.number().int().positive(),
  name: z.string().regex(MANIFEST_NAME, 'must be lower-case letters, digits and -'),
  description: z.string().optional(),
  version: z.string().optional(),
  architecture: z.string().min(1),
  distribution: z.object({ name: z.string(), release: z.string(), codename: z.string() }).optional(),
  recipeDigest: z.string().min(1),
  planDigest: z.string().optional(),
  sourceDateEpoch: z.number().int().optional(),
  /** The archive state the packages came from (resolve's suites: dists of the apt archive). */
  archive: z.array(z.unknown()).optional(),
  packages: z.array(ManifestPackage).default([]),
  footprint: Footprint.optional(),
  ssh: SshSummary.optional(),
  cloudInit: z.object({ datasources: z.array(z.string()), defaultUser: z.string() }).optional(),
  sizes: z.object({ treeBytes: z.number(), rawAllocatedBytes: z.number() }).optional(),
  /** Where the image tree's bytes are (by directory, package, docs/locales/modules): written by `herd build` since issue #9. */
  sizeReport: z.object({ file: z.literal('size-report.json'), sha256: Sha256 }).optional(),
  /** QA suites (src/qa/boot/suites/) the image is tested with: 'base' and the recipe's qa.suites. */
  qaSuites: z.array(z.string().min(1)).optional(),
  catalog: CatalogEntry.optional(),
  outputs: z.array(ManifestOutput).min(1, 'a release needs at least one image file'),
  steps: z.array(z.object({ id: z.string(), stage: z.string(), title: z.string(), status: z.string(), seconds: z.number(), error: z.string().optional() })).optional(),
  build: z.object({ startedAt: z.string(), seconds: z.number(), tools: z.record(z.string(), z.string()) }).optional(),
  /** Written by the QA gate (`herd build --test`, build jobs); publish requires a passing one. */
  qa: QaRecord.optional(),
});
export type Manifest = z.infer<typeof Manifest>;
/** What a writer puts in the file (before defaults are applied). */
export type ManifestInput = z.input<typeof Manifest>;

export type ManifestIssue = { path: string; message: string };

/** Parses manifest.json text; returns the problems (field path and message) rather than throwing. */
export function parseManifestText(text: string): { ok: true; manifest: Manifest } | { ok: false; issues: ManifestIssue[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: '(root)', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && !SUPPORTED_MANIFEST_VERSIONS.includes(version)) {
    return { ok: false, issues: [{ path: 'schemaVersion', message: `${version} is not supported (this herd reads ${SUPPORTED_MANIFEST_VERSIONS.join(', ')})` }] };
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })) };
  return { ok: true, manifest: parsed.data };
}

/** Package entries with the architecture under one name. */
export function manifestPackages(m: Manifest): Array<{ name: string; version: string; arch: string }> {
  return m.packages.map((p) => ({ name: p.name, version: p.version, arch: (p.arch ?? p.architecture)! }));
}

/** The parts of a manifest QA relies on; every field is optional so partial, older or newer manifests still load. */
export interface QaManifestView {
  name?: string;
  architecture?: string;
  footprint?: { docs?: boolean; man?: boolean; locales?: string[] };
  ssh?: { passwordAuthentication?: boolean; rootLogin?: string };
  /** QA suites to run besides 'base', from the manifest's `qaSuites`. */
  suites?: string[];
  /** The cloud platform of the image file under test, from its entry in `outputs` (e.g. 'nocloud', 'ec2'). */
  platform?: string;
  /** The language stack the image carries (`catalog.stack`), for the stack suite. */
  stack?: { language: string; version: string; frameworks: string[] };
}

/**
 * QA's view of a manifest: each field is checked against this schema on its own, and one that does not
 * fit is left out, so QA still runs (with its defaults) on a hand-made or partial manifest.
 */
export function qaView(raw: unknown, imageFile?: string): QaManifestView {
  const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const field = <S extends z.ZodType>(schema: S, v: unknown): z.infer<S> | undefined => {
    const r = schema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  const outputs = Array.isArray(m.outputs) ? m.outputs : [];
  const out = outputs.find((o) => o && typeof o === 'object' && (o as { file?: unknown }).file === imageFile) as Record<string, unknown> | undefined;
  const fp = field(Footprint, m.footprint);
  const ssh = field(SshSummary, m.ssh);
  const stack = field(CatalogEntry.shape.stack.unwrap(), (m.catalog as { stack?: unknown } | undefined)?.stack);
  return {
    ...(stack ? { stack } : {}),
    name: field(z.string(), m.name),
    architecture: field(Manifest.shape.architecture, m.architecture),
    footprint: fp && { docs: fp.docs, man: fp.man, locales: fp.locales },
    ssh: ssh && { passwordAuthentication: ssh.passwordAuthentication, rootLogin: ssh.rootLogin },
    suites: field(z.array(z.string().min(1)), m.qaSuites),
    platform: field(z.string().min(1), out?.platform),
  };
}
