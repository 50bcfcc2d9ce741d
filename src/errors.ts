/**
 * The one error type Herd raises on purpose. `code` is stable (tests and API clients match on it) and
 * always `area.snake_case`; `hint` tells the user what to do next; `kind` alone decides the exit code
 * and the HTTP status at the edges (never the spelling of the code).
 */
export const ERROR_KINDS = {
  // the caller's input is wrong
  user: { status: 400, exit: 1 },
  unauthenticated: { status: 401, exit: 1 },
  forbidden: { status: 403, exit: 1 },
  not_found: { status: 404, exit: 1 },
  conflict: { status: 409, exit: 1 },
  too_large: { status: 413, exit: 1 },
  unsupported_media: { status: 415, exit: 1 },
  bad_range: { status: 416, exit: 1 },
  // something Herd depends on (host tool, server, disk, key) is missing or failing
  dependency: { status: 503, exit: 3 },
  // our bug
  internal: { status: 500, exit: 70 },
  // the request named a host this server does not serve (DNS rebinding, a stray proxy)
  misdirected: { status: 421, exit: 1 },
  // a shared limit (open event streams) is reached for now; try again later
  rate_limited: { status: 429, exit: 1 },
} as const;
export type ErrorKind = keyof typeof ERROR_KINDS;

/** Stable codes look like `area.snake_case` (`release.not_found`, `api.body_too_large`). */
export const ERROR_CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

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
  return isAppError(e) ? ERROR_KINDS[e.kind].exit : 70;
}

/** HTTP status for an error, by its kind. */
export function httpStatusFor(e: AppError): (typeof ERROR_KINDS)[ErrorKind]['status'] {
  return ERROR_KINDS[e.kind].status;
}
