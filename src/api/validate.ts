import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../errors.ts';

function invalid(where: string, error: z.ZodError): AppError {
  const details = error.issues.map((i) => ({ path: `${where}${i.path.length ? '.' + i.path.join('.') : ''}`, message: i.message }));
  return new AppError('api.invalid_input', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, {
    details, hint: 'see /api/openapi.json for the expected shape',
  });
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new AppError('api.invalid_json', 'request body is not valid JSON', { hint: 'send a JSON object with Content-Type: application/json' });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid('body', parsed.error);
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid('query', parsed.error);
  return parsed.data;
}

export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.param());
  if (!parsed.success) throw invalid('path', parsed.error);
  return parsed.data;
}
