import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { PRODUCT_ID } from '../store/products.ts';
import { normaliseArch } from './platforms.ts';

/**
 * A build output folder as `herd build` leaves it: manifest.json, SHA256SUMS and the image files.
 * Read defensively: every problem is reported with the file and field it is in, and every image is
 * checked against both the manifest and SHA256SUMS before anything is stored.
 */
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a plain file name inside the folder');

const Manifest = z.object({
  schemaVersion: z.number().int().positive(),
  name: z.string().regex(PRODUCT_ID, 'must be lower-case letters, digits and -'),
  version: z.string().optional(),
  architecture: z.string().min(1),
  recipeDigest: z.string().min(1),
  // `herd build` writes `architecture`; other tools write `arch`. Either is accepted.
  packages: z.array(z.object({ name: z.string().min(1), version: z.string().min(1), arch: z.string().min(1).optional(), architecture: z.string().min(1).optional() })
    .refine((p) => p.arch ?? p.architecture, 'needs arch (or architecture)')
    .transform((p) => ({ name: p.name, version: p.version, arch: (p.arch ?? p.architecture)! }))).default([]),
  outputs: z.array(z.object({
    format: z.string().regex(/^[a-z0-9][a-z0-9.]*$/, 'must be a format name such as qcow2 or raw.xz'),
    file: FileName,
    size: z.number().int().nonnegative(),
    sha256: Sha256,
    uncompressedSha256: Sha256.optional(),
  })).min(1, 'a release needs at least one image file'),
  // written by `herd build --test` / `herd test`: a build whose QA failed is never published
  qa: z.object({ passed: z.boolean(), failed: z.array(z.string()).optional() }).passthrough().optional(),
});

export const SUPPORTED_MANIFEST_VERSIONS = [1];

export interface BuildOutput {
  dir: string;
  name: string;
  version?: string;
  architecture: string;
  recipeDigest: string;
  packages: Array<{ name: string; version: string; arch: string }>;
  outputs: Array<{ format: string; file: string; path: string; size: number; sha256: string; uncompressedSha256?: string }>;
}

export async function readBuildOutput(dir: string): Promise<BuildOutput> {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = parseManifest(manifestPath, await readText(manifestPath, 'run `herd build` first; publish takes its output folder'));
  if (manifest.qa && !manifest.qa.passed) {
    throw bad('publish.qa_failed', `${manifestPath}: QA failed (${(manifest.qa.failed ?? []).join(', ') || 'see qa/report.json'}); a failed image is not published`);
  }
  const sums = parseSha256Sums(join(dir, 'SHA256SUMS'), await readText(join(dir, 'SHA256SUMS'), 'the build writes SHA256SUMS next to manifest.json'));
  const outputs = [];
  for (const [i, o] of manifest.outputs.entries()) {
    const where = `${manifestPath}: outputs[${i}] (${o.file})`;
    if (sums.get(o.file) !== o.sha256) {
      throw bad('publish.checksum_mismatch', `${where}: sha256 ${o.sha256} does not match SHA256SUMS (${sums.get(o.file) ?? 'not listed'})`);
    }
    const path = join(dir, o.file);
    const actual = await hashFile(path, where);
    if (actual.size !== o.size) throw bad('publish.size_mismatch', `${where}: file is ${actual.size} bytes, manifest says ${o.size}`);
    if (actual.sha256 !== o.sha256) throw bad('publish.checksum_mismatch', `${where}: file sha256 is ${actual.sha256}, manifest says ${o.sha256}`);
    outputs.push({ ...o, path });
  }
  const { name, version, recipeDigest, packages } = manifest;
  return { dir, name, version, architecture: normaliseArch(manifest.architecture), recipeDigest, packages, outputs };
}

function parseManifest(path: string, text: string): z.infer<typeof Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad('publish.bad_manifest', `${path}: not valid JSON: ${(e as Error).message}`);
  }
  const version = (raw as { schemaVersion?: unknown })?.schemaVersion;
  if (typeof version === 'number' && !SUPPORTED_MANIFEST_VERSIONS.includes(version)) {
    throw bad('publish.manifest_version', `${path}: schemaVersion ${version} is not supported (this herd reads ${SUPPORTED_MANIFEST_VERSIONS.join(', ')})`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw bad('publish.bad_manifest', `invalid build manifest:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** `sha256sum` output: "<hex>  <file>" or "<hex> *<file>" per line. */
export function parseSha256Sums(path: string, text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw bad('publish.bad_sha256sums', `${path}:${i + 1}: expected "<sha256>  <file>", got "${line.slice(0, 80)}"`);
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}

async function readText(path: string, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('publish.missing_file', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint });
  }
}

export async function hashFile(path: string, where = path): Promise<{ size: number; sha256: string }> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a regular file');
    const hash = createHash('sha256');
    let size = 0;
    await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) { hash.update(chunk); size += chunk.length; }
    });
    return { size, sha256: hash.digest('hex') };
  } catch (e) {
    throw bad('publish.missing_file', `${where}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function bad(code: string, message: string): AppError {
  return new AppError(code, message, { hint: 'rebuild the image, or fix the build output folder so manifest.json, SHA256SUMS and the files agree' });
}
