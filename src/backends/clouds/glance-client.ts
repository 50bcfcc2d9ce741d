import { AppError } from '../../errors.ts';
import { credentialsError, RetryableCloudError } from './cloud-target.ts';
import { CREDENTIALS_HINT, type OpenStackAuth } from './openstack-auth.ts';

/** The part of fetch this client uses (tests pass their own to count or break requests). */
export type Fetch = (url: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

interface CatalogEntry {
  type?: string;
  endpoints?: { interface?: string; region?: string; region_id?: string; url?: string }[];
}

/** Connection errors worth a retry: the request may not have reached the cloud, or its answer was lost. */
const TRANSIENT = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|other side closed/;

function transient(e: unknown): boolean {
  const parts: string[] = [];
  const walk = (c: unknown): void => {
    if (!(c instanceof Error)) return;
    parts.push(c.message, String((c as { code?: unknown }).code ?? ''));
    // a connection to a name with several addresses fails with an AggregateError of them all
    if (c instanceof AggregateError) c.errors.forEach(walk);
    walk(c.cause);
  };
  walk(e);
  return TRANSIENT.test(parts.join(' '));
}

async function send(fetchImpl: Fetch, what: string, url: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError' || init.signal?.aborted) throw e;
    if (transient(e)) throw new RetryableCloudError(`${what}: ${(e as Error).message}`, { cause: e });
    throw new AppError('cloud.unreachable', `${what}: ${(e as Error).message}`, { kind: 'dependency', cause: e, hint: 'check the URL and that the cloud is reachable from this host' });
  }
  if (res.status === 429 || res.status >= 500) {
    const body = await bodyText(res);
    const after = Number(res.headers.get('retry-after'));
    throw new RetryableCloudError(`${what}: HTTP ${res.status}${body ? `: ${body}` : ''}`, { retryAfterMs: after > 0 ? after * 1000 : undefined });
  }
  return res;
}

/** An error body for a message: Glance answers with JSON, HTML or plain text, sometimes nothing. */
export async function bodyText(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).trim();
  let message = text;
  try {
    const j = JSON.parse(text) as { error?: { message?: string }; message?: string };
    message = j.error?.message ?? j.message ?? text;
  } catch { /* not JSON */ }
  return message.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * A Glance v2 endpoint behind Keystone v3 (or behind nothing, with auth_type none). Authenticates lazily, keeps
 * the token until shortly before it expires, and authenticates once more when Glance refuses it (a token can
 * expire or be revoked during a long wait). Throttling, 5xx and connection resets become RetryableCloudError.
 */
export class GlanceClient {
  private token?: { value: string; expiresAt: number; endpoint: string };

  constructor(private readonly target: string, private readonly auth: OpenStackAuth, private readonly fetchImpl: Fetch = fetch, private readonly regionOverride?: string) {}

  async request(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; signal: AbortSignal; what: string }): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const { endpoint, headers } = await this.session(init.signal);
      const res = await send(this.fetchImpl, `${init.what} (${method} ${path})`, endpoint + path, {
        method, body: init.body, headers: { ...headers, ...init.headers }, signal: init.signal,
        ...(init.body && typeof (init.body as ReadableStream).getReader === 'function' ? { duplex: 'half' as const } : {}),
      });
      // a streamed body cannot be sent twice, so an upload does not re-authenticate in place (its step is run again)
      if (res.status === 401 && this.auth.type !== 'none' && attempt === 0 && (init.body === undefined || typeof init.body === 'string')) {
        this.token = undefined;
        continue;
      }
      if (res.status === 401) throw credentialsError(this.target, `Glance refused the credentials (${init.what}): ${await bodyText(res)}`, CREDENTIALS_HINT);
      return res;
    }
  }

  /** A request whose answer must be 2xx; anything else becomes an error naming what was being done. */
  async ok(method: string, path: string, init: Parameters<GlanceClient['request']>[2]): Promise<Response> {
    const res = await this.request(method, path, init);
    if (res.ok) return res;
    const body = await bodyText(res);
    const kind = res.status === 403 ? 'forbidden' : res.status === 404 ? 'not_found' : res.status === 409 ? 'conflict' : 'dependency';
    throw new AppError('cloud.request_failed', `target ${this.target}: ${init.what}: Glance answered HTTP ${res.status}${body ? `: ${body}` : ''}`, {
      kind, details: { status: res.status },
      hint: res.status === 403 ? 'the project\'s role does not allow this (publishing with visibility public needs the admin role; community or shared do not)' : undefined,
    });
  }

  async json<T>(method: string, path: string, init: Parameters<GlanceClient['request']>[2]): Promise<T> {
    return await (await this.ok(method, path, { ...init, headers: { Accept: 'application/json', ...init.headers } })).json() as T;
  }

  private async session(signal: AbortSignal): Promise<{ endpoint: string; headers: Record<string, string> }> {
    if (this.auth.type === 'none') return { endpoint: trimEndpoint(this.auth.endpoint), headers: {} };
    if (!this.token || Date.now() > this.token.expiresAt - 60_000) this.token = await this.authenticate(signal);
    return { endpoint: this.token.endpoint, headers: { 'X-Auth-Token': this.token.value } };
  }

  private async authenticate(signal: AbortSignal): Promise<{ value: string; expiresAt: number; endpoint: string }> {
    if (this.auth.type === 'none') throw new Error('unreachable');
    const base = this.auth.authUrl.replace(/\/+$/, '');
    const url = `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
    const res = await send(this.fetchImpl, `target ${this.target}: Keystone authentication`, url, {
      method: 'POST', signal, headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ auth: { identity: this.auth.identity, ...(this.auth.scope ? { scope: this.auth.scope } : {}) } }),
    });
    if (res.status === 401 || res.status === 403) {
      throw credentialsError(this.target, `Keystone at ${this.auth.authUrl} refused the credentials: ${await bodyText(res)}`, CREDENTIALS_HINT);
    }
    if (!res.ok) throw new AppError('cloud.auth_failed', `target ${this.target}: Keystone at ${url} answered HTTP ${res.status}: ${await bodyText(res)}`, { kind: 'dependency', hint: 'check auth_url / OS_AUTH_URL (the Keystone v3 endpoint)' });
    const value = res.headers.get('x-subject-token');
    const body = await res.json() as { token?: { expires_at?: string; catalog?: CatalogEntry[] } };
    if (!value) throw new AppError('cloud.auth_failed', `target ${this.target}: Keystone at ${url} returned no X-Subject-Token`, { kind: 'dependency' });
    const expiresAt = Date.parse(body.token?.expires_at ?? '') || Date.now() + 3600_000;
    return { value, expiresAt, endpoint: trimEndpoint(this.auth.endpointOverride ?? this.imageEndpoint(body.token?.catalog ?? [], this.auth.region, this.auth.interface)) };
  }

  /** The image service's URL for the configured region and interface, from the token's catalog. */
  private imageEndpoint(catalog: CatalogEntry[], cloudRegion: string | undefined, iface: string): string {
    const region = this.regionOverride ?? cloudRegion;
    const all = catalog.filter((c) => c.type === 'image').flatMap((c) => c.endpoints ?? []);
    const fit = all.filter((e) => e.interface === iface && e.url && (!region || e.region === region || e.region_id === region));
    const regions = [...new Set(fit.map((e) => e.region_id ?? e.region))];
    if (fit.length === 0 || (!region && regions.length > 1)) {
      const have = all.map((e) => `${e.region_id ?? e.region}/${e.interface}`).join(', ') || 'none';
      throw new AppError('cloud.no_image_endpoint', `target ${this.target}: the service catalog has ${fit.length ? 'several' : 'no'} image endpoint${fit.length ? 's' : ''} for region ${region ?? '(any)'}, interface ${iface} (it has: ${have})`, {
        kind: 'user', hint: 'set the target\'s region (or region_name / OS_REGION_NAME) and interface to one the catalog lists',
      });
    }
    return fit[0]!.url!;
  }
}

/** The endpoint without a trailing slash or version: catalogs list Glance both as https://host:9292 and …/v2. */
function trimEndpoint(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '');
}
