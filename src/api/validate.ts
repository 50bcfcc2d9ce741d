import type { Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** The largest JSON body any route takes; bigger requests are refused before they are read (413). */
export const JSON_BODY_LIMIT = 64 * 1024;

/** C0 controls but tab, LF and CR; DEL; C1 controls; Unicode bidi overrides and isolates (they reorder terminal text). */
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** The same plus tab, LF and CR: for one-line values (names, reasons, ids) that end up in terminals and logs. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * The one way route schemas take a string: always bounded, and never carrying NUL or control characters
 * (PostgreSQL refuses NUL in text; escape sequences in a revoke reason would reach operators' terminals).
 * `multiline` lets tab and newlines through, for descriptions.
 */
export function text(o: { max: number; min?: number; multiline?: boolean }) {
  const bad = o.multiline ? CONTROL_EXCEPT_WHITESPACE : CONTROL;
  return z.string().min(o.min ?? 0).max(o.max)
    .refine((s) => !bad.test(s), { message: o.multiline ? 'must not contain NUL or control characters' : 'must be one line without NUL or control characters' });
}

/**
 * Everything that reaches a route is also checked as a whole, so a schema written without `text()` still
 * never passes NUL or escape sequences on: any string anywhere in the input is refused if it holds them.
 */
function findControl(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return CONTROL_EXCEPT_WHITESPACE.test(value) ? path : undefined;
  if (depth > 32) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) { const p = findControl(value[i], `${path}.${i}`, depth + 1); if (p) return p; }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = findControl(k, `${path}.${k}`, depth + 1) ?? findControl(v, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
  }
  return undefined;
}

function invalid(where: string, error: z.ZodError): AppError {
  const details = error.issues.map((i) => ({ path: `${where}${i.path.length ? '.' + i.path.join('.') : ''}`, message: i.message }));
  return new AppError('api.invalid_input', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, {
    details, hint: 'see /api/openapi.json for the expected shape',
  });
}

function parse<S extends z.ZodType>(where: string, schema: S, raw: unknown): z.infer<S> {
  const at = findControl(raw, where);
  if (at) {
    throw new AppError('api.invalid_input', `invalid ${where}: ${at}: must not contain NUL or control characters`, {
      details: [{ path: at, message: 'must not contain NUL or control characters' }], hint: 'remove NUL and control characters from the input',
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(where, parsed.error);
  return parsed.data;
}

export function tooLarge(limit: number): AppError {
  return new AppError('api.body_too_large', `request body is larger than ${limit} bytes`, {
    kind: 'too_large', hint: 'JSON requests are small; images are published from build outputs, not through a request body',
  });
}

/**
 * Reads the body as text, counting bytes as they arrive: a declared Content-Length above `limit` is refused
 * before reading anything, and a chunked body is cut off (and the rest never pulled) once it passes `limit`.
 */
export async function readBoundedText(c: Context, limit = JSON_BODY_LIMIT): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const raw = await readBoundedText(c);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('api.invalid_json', 'request body is not valid JSON', { hint: 'send a JSON object with Content-Type: application/json' });
  }
  return parse('body', schema, value);
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parse('query', schema, c.req.query());
}

export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parse('path', schema, c.req.param());
}
