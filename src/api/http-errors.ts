import type { Context } from 'hono';
import { AppError, httpStatusFor, isAppError } from '../errors.ts';
import { storeErrorFor } from '../store/store-errors.ts';

/** The one place an error becomes an HTTP status: by its kind (errors.ts), never by its code. */
export const statusFor = httpStatusFor;

/** An AppError as the client sees it; driver errors we recognise (disk full) keep their meaning. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  return storeErrorFor(e) ?? new AppError('internal.unexpected', 'internal server error', { kind: 'internal', cause: e });
}

export function errorResponse(e: unknown, c: Context): Response {
  const err = toAppError(e);
  if (!isAppError(e)) process.stderr.write(`herd serve: ${(e as Error)?.stack ?? String(e)}\n`);
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.hint) body.hint = err.hint;
  if (err.details !== undefined) body.details = err.details;
  return c.json(body, statusFor(err));
}

export function notFoundResponse(c: Context): Response {
  return c.json({ code: 'api.not_found', message: `no route for ${c.req.method} ${c.req.path}`, hint: 'see /api/openapi.json for the routes' }, 404);
}
