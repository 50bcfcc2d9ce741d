import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** One installed package in resolved.json: what a locked build must install again, byte for byte. */
export const lockedPackageSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'a Debian package name'),
  version: z.string().regex(/^[0-9A-Za-z.+~:-]+$/, 'a Debian version'),
  architecture: z.string().regex(/^[a-z0-9-]+$/, 'a Debian architecture such as amd64 or all'),
  filename: z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\s]+\.deb$/, 'a relative pool path ending in .deb'),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
});

const suiteStateSchema = z.strictObject({
  uri: z.string(), suite: z.string(), date: z.string(), epoch: z.number().int(), inReleaseSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * resolved.json: everything outside the recipe a build depended on. Written before the build with the
 * archive state, and again after the rootfs step with every installed package, which is what makes it
 * a lock (`--lock`). Version 1 files held only the archive state and cannot pin packages.
 */
export const resolvedSchema = z.strictObject({
  schemaVersion: z.literal(2),
  codename: z.string(),
  archive: z.strictObject({
    sources: z.array(z.strictObject({ uri: z.string(), suites: z.array(z.string()), components: z.array(z.string()) })).min(1),
    keyring: z.string(),
  }),
  suites: z.array(suiteStateSchema).min(1),
  sourceDateEpoch: z.number().int(),
  imageVersion: z.string(),
  packages: z.array(lockedPackageSchema).optional(),
});

export type ResolvedFile = z.infer<typeof resolvedSchema>;
export type LockFile = ResolvedFile & { packages: z.infer<typeof lockedPackageSchema>[] };

/** Parses and checks a lock: a resolved.json written after a build, so it lists the installed packages. */
export function parseLock(text: string, file: string): LockFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw lockError(file, `not JSON: ${(e as Error).message}`);
  }
  if ((raw as { schemaVersion?: unknown })?.schemaVersion === 1) {
    throw lockError(file, 'schema version 1 records only the archive state, not the packages, so it cannot pin them',
      'rebuild once without --lock; the new resolved.json lists every package and its sha256');
  }
  const parsed = resolvedSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw lockError(file, `${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  const lock = parsed.data;
  if (!lock.packages?.length) {
    throw lockError(file, 'it lists no packages: it was written before its build finished the rootfs step',
      'use the resolved.json next to the manifest.json of a finished build');
  }
  const seen = new Set<string>();
  for (const p of lock.packages) {
    if (seen.has(p.name)) throw lockError(file, `package ${p.name} is listed twice`);
    seen.add(p.name);
  }
  return lock as LockFile;
}

export function readLock(file: string): LockFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw lockError(file, (e as Error).message);
  }
  return parseLock(text, file);
}

function lockError(file: string, message: string, hint = 'pass the resolved.json written next to an earlier build\'s manifest.json') {
  return new AppError('lock.invalid', `cannot use lock file ${file}: ${message}`, { hint });
}

/** resolved.json after the build: the resolution plus the package set the rootfs step recorded (its lock). */
export function withPackages(resolved: ResolvedFile, recorded: unknown): ResolvedFile {
  const packages = z.array(lockedPackageSchema).safeParse(recorded);
  return packages.success ? { ...resolved, packages: packages.data } : resolved;
}
