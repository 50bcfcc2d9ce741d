/**
 * The one error type Herd raises on purpose. `code` is stable (tests and API clients match on it),
 * `hint` tells the user what to do next, `kind` decides the exit code / HTTP status at the edges.
 */
export type ErrorKind = 'user' | 'dependency' | 'internal';

export interface AppErrorOptions {
  hint?: string;
  kind?: ErrorKind;
  cause?: unknown;
  details?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly kind: ErrorKind;
  readonly details?: unknown;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.kind = options.kind ?? 'user';
    this.details = options.details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Text for a terminal: message, then the hint on its own line. */
export function formatError(e: unknown): string {
  if (isAppError(e)) {
    return `error[${e.code}]: ${e.message}` + (e.hint ? `\n  hint: ${e.hint}` : '');
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return `internal error: ${err.stack ?? err.message}`;
}

/** Exit codes: 1 = the user's input, 3 = a missing/failing dependency (host tool, server), 70 = our bug. */
export function exitCodeFor(e: unknown): number {
  if (!isAppError(e)) return 70;
  return e.kind === 'user' ? 1 : e.kind === 'dependency' ? 3 : 70;
}
