import { AppError, isAppError } from '../errors.ts';

/**
 * Errors the database driver raises that are not our bug: a full disk (SQLite SQLITE_FULL, PostgreSQL
 * 53100 disk_full) is the operator's to fix, so it is a dependency error with a hint, not an internal one.
 * Returns undefined for anything else, so callers keep their own handling.
 */
export function storeErrorFor(e: unknown): AppError | undefined {
  if (isAppError(e)) return undefined;
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = String((cur as { code?: unknown }).code ?? '');
    const message = String((cur as { message?: unknown }).message ?? '');
    if (code === 'SQLITE_FULL' || code === '53100' || /database or disk is full/i.test(message)) {
      return new AppError('store.disk_full', 'the database cannot write: its disk is full', {
        kind: 'dependency', cause: e, hint: 'free space on the disk that holds the database (DATA/herd.db, or the PostgreSQL data directory), then retry',
      });
    }
    // PostgreSQL refuses NUL in text (22021, 22P05); the API validates input first, this is the backstop.
    if (code === '22021' || code === '22P05') {
      return new AppError('store.bad_text', 'a text value contains a character the database cannot store (NUL or invalid UTF-8)', {
        cause: e, hint: 'remove NUL and control characters from the input',
      });
    }
  }
  return undefined;
}
