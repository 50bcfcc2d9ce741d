import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { type Authenticate, createHint } from '../auth/authenticate.ts';
import { type Principal, type Role, roleAtLeast } from '../catalog/roles.ts';
import { AppError } from '../errors.ts';
import { parseBody, parseParams, parseQuery } from './validate.ts';

/**
 * A route is data: method, path, summary, role, input schemas and a handler. The same table mounts the
 * Hono routes (validating every input first) and generates the OpenAPI document, so they never drift.
 */
export interface RouteDef {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tag: string;
  /** The least role a caller needs; without it the route is an anonymous public read. */
  role?: Role;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Response media type when it is not JSON. */
  produces?: string;
  /**
   * The JSON body a 2xx answer has. It types the web client (through the OpenAPI document) and, with
   * `checkResponses`, is enforced on every answer the tests see, so the document cannot drift from the code.
   */
  response?: z.ZodType;
  /** The success status when it is not 200 (201, 202). */
  status?: number;
  /** `who` is the caller a route with a role was checked for (undefined on anonymous routes). */
  handler(c: Context, input: { body: any; query: any; params: any; who?: Principal }): Promise<Response> | Response;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
  def: Omit<RouteDef, 'handler' | 'body' | 'query' | 'params'> & {
    body?: B; query?: Q; params?: P;
    handler(c: Context, input: { body: Infer<B>; query: Infer<Q>; params: Infer<P>; who?: Principal }): Promise<Response> | Response;
  },
): RouteDef {
  return def as RouteDef;
}

/** The one role check, for every route and every kind of credential: 401 without one, 403 below the role. */
export async function requireRole(c: Context, authenticate: Authenticate, role: Role): Promise<Principal> {
  const who = await authenticate(c);
  if (!who) {
    throw new AppError('api.unauthenticated', `${c.req.method} ${c.req.path} needs a credential (role ${role} or above)`, {
      kind: 'unauthenticated', hint: createHint(role),
    });
  }
  if (!roleAtLeast(who.role, role)) {
    throw new AppError('api.forbidden', `${c.req.method} ${c.req.path} needs role ${role}; ${who.via} "${who.name}" has role ${who.role}`, {
      kind: 'forbidden', hint: `ask an admin for a ${role} token (\`herd tokens create --role ${role}\`)`,
    });
  }
  return who;
}

export interface MountOptions {
  /** Validate every 2xx JSON answer against the route's `response` schema (tests turn it on). */
  checkResponses?: boolean;
}

export function mountRoutes(app: Hono, routes: RouteDef[], authenticate: Authenticate, o: MountOptions = {}): void {
  for (const r of routes) {
    app[r.method](r.path, async (c) => {
      const who = r.role ? await requireRole(c, authenticate, r.role) : undefined;
      const input = {
        who,
        params: r.params ? parseParams(c, r.params) : undefined,
        query: r.query ? parseQuery(c, r.query) : undefined,
        body: r.body ? await parseBody(c, r.body) : undefined,
      };
      const res = await r.handler(c, input);
      if (o.checkResponses && r.response) await checkResponse(r, res);
      return res;
    });
  }
}

/** A route answering with a body its own schema rejects is a bug in Herd: an internal error, loudly. */
async function checkResponse(r: RouteDef, res: Response): Promise<void> {
  if (res.status < 200 || res.status >= 300 || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return;
  const parsed = r.response!.safeParse(await res.clone().json());
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('api.response_schema', `${r.method.toUpperCase()} ${r.path} answered with a body its response schema rejects: ${where}`, {
      kind: 'internal', hint: 'fix the route or its `response` schema in src/api/routes/',
    });
  }
}

const ErrorBody = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } };

export function openApiDocument(routes: RouteDef[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{key}');
    const parameters = [
      ...objectProps(r.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...(r.path.endsWith('*') ? [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }] : []),
      ...objectProps(r.query).map(([name, schema, required]) => ({ name, in: 'query', required, schema })),
    ];
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.role ? { 'x-required-role': r.role, security: [{ bearer: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        [r.status ?? 200]: { description: 'OK', content: { [r.produces ?? 'application/json']: r.response ? { schema: jsonSchema(r.response, 'output') } : {} } },
        default: { description: 'error', content: { 'application/json': { schema: ErrorBody } } },
      },
    };
  }
  return { openapi: '3.1.0', info, paths, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from `herd tokens create`' } } } };
}

function jsonSchema(s: z.ZodType, io: 'input' | 'output' = 'input'): unknown {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function objectProps(s?: z.ZodType): Array<[string, unknown, boolean]> {
  if (!s) return [];
  const js = jsonSchema(s) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([k, v]) => [k, v, (js.required ?? []).includes(k)]);
}
