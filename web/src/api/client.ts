import type { paths } from './schema.d.ts';

/**
 * The portal's only way to the API. Types come from the OpenAPI document the server generates from its
 * zod schemas (schema.d.ts, `npm run gen:api-types`): a changed response breaks the portal's build, not
 * its users.
 */
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : unknown;
type Ok<Op> = Op extends { responses: infer Rs }
  ? Rs extends { 200: infer R } ? JsonOf<R> : Rs extends { 201: infer R } ? JsonOf<R> : Rs extends { 202: infer R } ? JsonOf<R> : unknown
  : never;
type BodyOf<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type GetPaths = { [P in keyof paths]: paths[P] extends { get: unknown } ? P : never }[keyof paths];
type PostPaths = { [P in keyof paths]: paths[P] extends { post: unknown } ? P : never }[keyof paths];
export type GetResult<P extends GetPaths> = Ok<paths[P] extends { get: infer Op } ? Op : never>;
export type PostBody<P extends PostPaths> = BodyOf<paths[P] extends { post: infer Op } ? Op : never>;
export type PostResult<P extends PostPaths> = Ok<paths[P] extends { post: infer Op } ? Op : never>;

/** An API error as the service states it: a stable code, a message and a hint. */
export class ApiError extends Error {
  /** `details`: what the service adds to some errors, e.g. a recipe's issues at line:col. */
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string, readonly details?: unknown) {
    super(message);
  }
}

let csrf: { header: string; token: string } | undefined;
/** Set by the session provider after sign-in or GET /api/session; sent on every write. */
export function setCsrf(v: { header: string; token: string } | undefined): void {
  csrf = v;
}

function fill(path: string, params: Record<string, string> = {}, query: Record<string, string | undefined> = {}): string {
  const p = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  return q.size ? `${p}?${q}` : p;
}

async function answer<T>(res: Response): Promise<T> {
  const body = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : undefined;
  if (!res.ok) {
    throw new ApiError(res.status, body?.code ?? 'http.error', body?.message ?? `${res.status} ${res.statusText}`, body?.hint, body?.details);
  }
  return body as T;
}

/** The address of a GET route for a plain link (a download): the browser sends the session cookie; a GET needs no CSRF token. */
export function apiHref<P extends GetPaths>(path: P, params: Record<string, string>): string {
  return fill(path, params);
}

export async function apiGet<P extends GetPaths>(path: P, o: { params?: Record<string, string>; query?: Record<string, string | undefined>; signal?: AbortSignal } = {}): Promise<GetResult<P>> {
  const res = await fetch(fill(path, o.params, o.query), { headers: { accept: 'application/json' }, credentials: 'same-origin', signal: o.signal });
  return answer<GetResult<P>>(res);
}

export async function apiPost<P extends PostPaths>(path: P, body: PostBody<P> | Record<string, never>, o: { params?: Record<string, string> } = {}): Promise<PostResult<P>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (csrf) headers[csrf.header] = csrf.token;
  const res = await fetch(fill(path, o.params), { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  return answer<PostResult<P>>(res);
}
