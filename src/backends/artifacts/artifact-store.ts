import type { Readable } from 'node:stream';
import { AppError } from '../../errors.ts';

export interface StoredObject { key: string; size: number; sha256: string }

export interface ObjectInfo { size: number; etag: string; modified: Date }

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange { start: number; end: number }

export interface OpenedObject extends ObjectInfo { body: Readable; range: ByteRange }

/**
 * Where artifacts live. Contract (artifact-store.contract.test.ts runs it on every implementation):
 * - `put` is atomic: a reader sees the whole object or none; a failing source leaves nothing behind;
 *   it returns the size and sha256 of the bytes actually stored, so callers verify what landed;
 * - `open` streams the object or an inclusive byte range of it; unknown keys throw `artifact.not_found`;
 * - `url` is where a client fetches the object directly (file:// for a directory, https:// for S3).
 */
export interface ArtifactStore {
  put(key: string, source: Readable | Uint8Array): Promise<StoredObject>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  open(key: string, range?: ByteRange): Promise<OpenedObject>;
  url(key: string): string;
  delete(key: string): Promise<void>;
  /**
   * Removes partial uploads (an interrupted `put`) older than `olderThanMs`; returns what it removed (or,
   * with `dryRun`, would remove). Stores whose uploads are atomic on the server side need not have it.
   */
  sweepPartial?(olderThanMs: number, dryRun?: boolean): Promise<string[]>;
}

/**
 * Keys are relative, slash-separated paths with no segment that begins with `.`: no `.`/`..` walks out
 * of a backend, and a store's own bookkeeping (the fs store's `.tmp/` uploads) is never a key.
 */
export function checkKey(key: string): string {
  const ok = key.length > 0 && key.length <= 512 && !key.startsWith('/') &&
    key.split('/').every((s) => s !== '' && !s.startsWith('.') && /^[A-Za-z0-9._+:@-]+$/.test(s));
  if (!ok) {
    throw new AppError('artifact.bad_key', `invalid artifact key "${key}"`, {
      kind: 'internal', hint: 'keys are relative paths of letters, digits and ._+:@- separated by /, no part beginning with .',
    });
  }
  return key;
}

export function notFound(key: string): AppError {
  return new AppError('artifact.not_found', `no artifact stored at ${key}`, { kind: 'not_found', hint: 'check the release and format; list them with GET /api/releases' });
}

/** Clamps a requested range to the object; throws `artifact.bad_range` if it starts past the end. */
export function clampRange(size: number, range?: ByteRange): ByteRange {
  if (!range) return { start: 0, end: Math.max(0, size - 1) };
  if (range.start < 0 || range.start >= size || range.end < range.start) {
    throw new AppError('artifact.bad_range', `byte range ${range.start}-${range.end} is outside an object of ${size} bytes`, {
      kind: 'bad_range', hint: 'request a range that starts before the end of the file',
    });
  }
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
