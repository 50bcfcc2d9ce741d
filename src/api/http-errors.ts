import type { Context } from 'hono';
import { AppError, isAppError } from '../errors.ts';

/** Codes whose failure is a conflict with the current state rather than a malformed request. */
const CONFLICTS = [/\.exists$/, /^release\.(revoked|same_channel|not_published)$/, /^job\.not_cancellable$/, /^cloud_image\.immutable$/];

/** The one place an error becomes an HTTP status. */
export function statusFor(e: AppError): 400 | 401 | 403 | 404 | 409 | 416 | 500 | 503 {
  if (e.code.endsWith('.not_found')) return 404;
  if (e.code === 'api.unauthenticated') return 401;
  if (e.code === 'api.forbidden') return 403;
  if (e.code === 'artifact.bad_range') return 416;
  if (CONFLICTS.some((re) => re.test(e.code))) return 409;
  return e.kind === 'user' ? 400 : e.kind === 'dependency' ? 503 : 500;
}

export function errorResponse(e: unknown, c: Context): Response {
  const err = isAppError(e) ? e : new AppError('internal', 'internal server error', { kind: 'internal', cause: e });
  if (!isAppError(e)) process.stderr.write(`herd serve: ${(e as Error)?.stack ?? String(e)}\n`);
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.hint) body.hint = err.hint;
  if (err.details !== undefined) body.details = err.details;
  return c.json(body, statusFor(err));
}

export function notFoundResponse(c: Context): Response {
  return c.json({ code: 'api.not_found', message: `no route for ${c.req.method} ${c.req.path}`, hint: 'see /api/openapi.json for the routes' }, 404);
}
