import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import {
  type Manifest, manifestPackages, parseManifestText, QA_REPORT_PATH, type QaRecord,
} from '../manifest/manifest-schema.ts';
import { parseSizeReportText } from '../manifest/size-report-schema.ts';
import { PRODUCT_ID } from '../store/products.ts';
import type { LockedPackage } from '../backends/package-managers/package-manager.ts';
import { parseLock } from '../resolve/lock-file.ts';
import { normaliseArch } from './platforms.ts';
import { type CheckedFile, folderRoot, openChecked, readChecked } from './safe-file.ts';

export { SUPPORTED_MANIFEST_VERSIONS } from '../manifest/manifest-schema.ts';

/**
 * A build output folder as `herd build` leaves it: manifest.json, SHA256SUMS, the image files and (when
 * tested) qa/report.json. Read defensively: every file is opened without following symlinks, must be a
 * regular file inside the folder, and is hashed through the descriptor it is later stored from. Every
 * problem is reported with the file and field it is in, never with the size or digest of a file.
 */
export interface BuildOutput {
  dir: string;
  name: string;
  version?: string;
  architecture: string;
  recipeDigest: string;
  packages: Array<{ name: string; version: string; arch: string }>;
  /** Source package of each binary, when the manifest records it (binaries of one source share a changelog). */
  sources: Map<string, string>;
  /** resolved.json's installed packages and archive roots: where the release changelog reads the .debs from. */
  lock: { packages: LockedPackage[]; mirrors: string[] } | { problem: string };
  outputs: Array<{ format: string; file: string; size: number; sha256: string; uncompressedSha256?: string; source: CheckedFile }>;
  /** The passing QA record and the report it binds; undefined for an untested build. */
  qa?: { record: QaRecord; report: string };
  /** size-report.json's text when the manifest names one (checked against its sha256 and schema). */
  sizeReport?: string;
  untested: boolean;
  /** Closes the image files; call it once stored (or on failure). */
  close(): Promise<void>;
}

export interface ReadOptions {
  /** Accept a build with no QA record (local experiments): the release is marked untested. */
  allowUntested?: boolean;
}

const SMALL_FILE = 16 * 1024 * 1024;

/**
 * The build's resolved.json, for its changelog only: a build without one (or with one that does not parse)
 * is still published, and its changelog says why it lists no entries.
 */
async function readLockOf(root: string): Promise<BuildOutput['lock']> {
  let text: string;
  try {
    text = (await readChecked(root, 'resolved.json', SMALL_FILE)).text;
  } catch (e) {
    return { problem: `the build output has no readable resolved.json (${(e as Error).message})` };
  }
  try {
    const lock = parseLock(text, `${root}/resolved.json`);
    return { packages: lock.packages, mirrors: [...new Set(lock.archive.sources.map((s) => s.uri))] };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

export async function readBuildOutput(dir: string, o: ReadOptions = {}): Promise<BuildOutput> {
  const root = await folderRoot(dir);
  const manifestPath = `${root}/manifest.json`;
  const manifest = parseManifest(manifestPath, (await readChecked(root, 'manifest.json', SMALL_FILE)).text);
  if (!PRODUCT_ID.test(manifest.name)) throw bad('publish.bad_manifest', `${manifestPath}: name: must be a product id`);
  if (manifest.qa && !manifest.qa.passed) {
    throw bad('publish.qa_failed', `${manifestPath}: QA failed (${manifest.qa.failed.join(', ') || `see ${QA_REPORT_PATH}`}); a failed image is not published`);
  }
  if (!manifest.qa && !o.allowUntested) {
    throw new AppError('publish.untested', `${manifestPath}: no QA record; images pass QA before publication`, {
      hint: 'build with `herd build --test` (or a build job with qa full/static); for a local experiment, publish with --allow-untested (the release is marked untested and never reaches stable)',
    });
  }
  const sums = parseSha256Sums(`${root}/SHA256SUMS`, (await readChecked(root, 'SHA256SUMS', SMALL_FILE)).text);
  const outputs: BuildOutput['outputs'] = [];
  const close = async () => { await Promise.allSettled(outputs.map((x) => x.source.close())); };
  try {
    for (const [i, o] of manifest.outputs.entries()) {
      const where = `${manifestPath}: outputs[${i}] (${o.file})`;
      if (sums.get(o.file) !== o.sha256) throw bad('publish.checksum_mismatch', `${where}: the sha256 in manifest.json does not match SHA256SUMS`);
      const source = await openChecked(root, o.file);
      outputs.push({ format: o.format, file: o.file, size: o.size, sha256: o.sha256, uncompressedSha256: o.uncompressedSha256, source });
      if (source.size !== o.size) throw bad('publish.size_mismatch', `${where}: the file's size differs from the manifest's ${o.size} bytes`);
      if (source.sha256 !== o.sha256) throw bad('publish.checksum_mismatch', `${where}: the file's sha256 differs from the manifest's ${o.sha256}`);
    }
    const qa = manifest.qa ? await checkQaRecord(root, manifestPath, manifest, manifest.qa) : undefined;
    const sizeReport = manifest.sizeReport ? await checkSizeReport(root, manifestPath, manifest.sizeReport) : undefined;
    const sources = new Map(manifest.packages.flatMap((p) => (p.source ? [[p.name, p.source] as const] : [])));
    return {
      dir: root, name: manifest.name, version: manifest.version, architecture: normaliseArch(manifest.architecture),
      recipeDigest: manifest.recipeDigest, packages: manifestPackages(manifest), sources, lock: await readLockOf(root), outputs, qa, sizeReport, untested: !qa, close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The QA record must be about this image: the report is present, hashes to the digest the manifest
 * binds, says passed, and names as its subject a disk this manifest publishes (same file, same sha256).
 */
async function checkQaRecord(root: string, manifestPath: string, manifest: Manifest, qa: QaRecord): Promise<{ record: QaRecord; report: string }> {
  const where = `${manifestPath}: qa`;
  const tested = manifest.outputs.find((x) => x.file === qa.image.file);
  if (!tested || tested.sha256 !== qa.image.sha256) {
    throw bad('publish.qa_other_image', `${where}: the QA record is about ${qa.image.file}, which this manifest does not publish with that sha256`);
  }
  let report: { text: string; sha256: string };
  try {
    report = await readChecked(root, qa.report, SMALL_FILE);
  } catch (e) {
    throw bad('publish.qa_report_missing', `${where}: cannot use ${qa.report}: ${(e as Error).message}`);
  }
  if (report.sha256 !== qa.reportSha256) throw bad('publish.qa_report_mismatch', `${where}: ${qa.report} is not the report the manifest's qa.reportSha256 binds`);
  let parsed: { passed?: unknown; subject?: { file?: unknown; sha256?: unknown } };
  try {
    parsed = JSON.parse(report.text);
  } catch {
    throw bad('publish.qa_report_invalid', `${where}: ${qa.report} is not valid JSON`);
  }
  if (parsed.passed !== true) throw bad('publish.qa_failed', `${where}: ${qa.report} does not say passed; a failed image is not published`);
  if (parsed.subject?.file !== qa.image.file || parsed.subject?.sha256 !== qa.image.sha256) {
    throw bad('publish.qa_other_image', `${where}: ${qa.report} is about another disk than the manifest's qa.image`);
  }
  return { record: qa, report: report.text };
}

/** The size report must be the one the manifest binds, and a report this herd can read (it is served as it is). */
async function checkSizeReport(root: string, manifestPath: string, ref: NonNullable<Manifest['sizeReport']>): Promise<string> {
  const where = `${manifestPath}: sizeReport`;
  let report: { text: string; sha256: string };
  try {
    report = await readChecked(root, ref.file, SMALL_FILE);
  } catch (e) {
    throw bad('publish.size_report_missing', `${where}: cannot use ${ref.file}: ${(e as Error).message}`);
  }
  if (report.sha256 !== ref.sha256) throw bad('publish.size_report_mismatch', `${where}: ${ref.file} is not the report the manifest's sizeReport.sha256 binds`);
  const parsed = parseSizeReportText(report.text);
  if (!parsed.ok) throw bad('publish.size_report_invalid', `${where}: ${ref.file}: ${parsed.problem}`);
  return report.text;
}

function parseManifest(path: string, text: string): Manifest {
  const parsed = parseManifestText(text);
  if (!parsed.ok) {
    const version = parsed.issues.find((i) => i.path === 'schemaVersion');
    if (version) throw bad('publish.manifest_version', `${path}: schemaVersion ${version.message}`);
    throw bad('publish.bad_manifest', `invalid build manifest:\n${parsed.issues.map((i) => `  ${path}: ${i.path}: ${i.message}`).join('\n')}`);
  }
  return parsed.manifest;
}

/** `sha256sum` output: "<hex>  <file>" or "<hex> *<file>" per line. */
export function parseSha256Sums(path: string, text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw bad('publish.bad_sha256sums', `${path}:${i + 1}: expected "<sha256>  <file>"`);
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}

function bad(code: string, message: string): AppError {
  return new AppError(code, message, { hint: 'rebuild the image, or fix the build output folder so manifest.json, SHA256SUMS, qa/report.json and the files agree' });
}

/** Size and sha256 of a local file the caller names itself (`herd verify --file`); not used on build folders. */
export async function hashFile(path: string, where = path): Promise<{ size: number; sha256: string }> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a regular file');
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path)) { hash.update(chunk as Buffer); size += (chunk as Buffer).length; }
    return { size, sha256: hash.digest('hex') };
  } catch (e) {
    throw bad('publish.missing_file', `${where}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
