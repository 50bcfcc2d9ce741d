import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { JSON_BODY_LIMIT, tooLarge } from './validate.ts';

export interface BrowserSafetyOptions {
  /** The configured public URL, read per request (serve learns it after listening). */
  publicUrl(): string | undefined;
  /** Extra names the service answers to (--allowed-host), besides the public URL's and loopback. */
  allowedHosts?: string[];
  /** Origins allowed to call the API from a browser page (--cors-origin); none by default. */
  corsOrigins?: string[];
  bodyLimit?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * What a web page in a user's browser must not be able to do to a service on the same machine or network:
 * reach it under a foreign host name (DNS rebinding: refused on every route, reads included), or write
 * to it from another origin (CSRF: foreign Origin, cross-site fetches, and bodies a form or a "simple"
 * request can send: text/plain, urlencoded, multipart). Runs before routing and authentication.
 */
export function browserSafety(o: BrowserSafetyOptions): MiddlewareHandler {
  const limit = o.bodyLimit ?? JSON_BODY_LIMIT;
  const extraHosts = new Set((o.allowedHosts ?? []).map((h) => hostnameOf(h) ?? h.toLowerCase()));
  const cors = new Set((o.corsOrigins ?? []).map((u) => originOf(u) ?? u));
  const hostAllowed = (hostname: string) => {
    const publicHost = o.publicUrl() ? hostnameOf(new URL(o.publicUrl()!).host) : undefined;
    return LOOPBACK.has(hostname) || hostname === publicHost || extraHosts.has(hostname);
  };
  const originAllowed = (origin: string, host: string) => {
    const norm = originOf(origin);
    if (!norm || norm === 'null') return false;
    if (norm === originOf(o.publicUrl()) || cors.has(norm)) return true;
    // Same origin as the URL the browser asked for (e.g. http://127.0.0.1:8080 for a loopback server):
    // the Host itself passed the check above, so this is the service's own page.
    return new URL(norm).host === host.toLowerCase();
  };

  return async (c: Context, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const hostname = hostnameOf(host);
    if (!hostname || !hostAllowed(hostname)) {
      throw new AppError('api.misdirected_host', `this service does not answer to the host name "${host.slice(0, 100)}"`, {
        kind: 'misdirected', hint: 'use the public URL or a loopback address; an operator may add names with `herd serve --allowed-host NAME`',
      });
    }
    const origin = c.req.header('origin');
    const corsOk = origin !== undefined && cors.has(originOf(origin) ?? '');
    if (c.req.method === 'OPTIONS' && corsOk) {
      return c.body(null, 204, {
        'access-control-allow-origin': origin!, vary: 'Origin', 'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600',
      });
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      if (c.req.header('sec-fetch-site') === 'cross-site' && !corsOk) {
        throw new AppError('api.cross_site', 'cross-site requests may not write', { kind: 'forbidden', hint: 'call the API from the CLI or the service\'s own pages' });
      }
      if (origin !== undefined && !originAllowed(origin, host)) {
        throw new AppError('api.foreign_origin', `requests from origin ${origin.slice(0, 100)} may not write`, {
          kind: 'forbidden', hint: 'an operator may allow a portal origin with `herd serve --cors-origin URL`',
        });
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        throw new AppError('api.unsupported_media', `writes take application/json, not ${type || 'a body without Content-Type'}`, {
          kind: 'unsupported_media', hint: 'send Content-Type: application/json (an empty object {} when there is nothing to say)',
        });
      }
      if (Number(c.req.header('content-length') ?? 0) > limit) throw tooLarge(limit);
    }
    await next();
    if (corsOk) {
      c.res.headers.set('access-control-allow-origin', origin!);
      c.res.headers.append('vary', 'Origin');
    }
  };
}
