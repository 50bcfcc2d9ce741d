import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { AppError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { csrfTokenFor, type SignedIn, useSession } from '../store/sessions.ts';
import { type Authenticate, tokenAuthenticator } from './authenticate.ts';

export const SESSION_COOKIE = 'herd_session';
export const CSRF_HEADER = 'x-herd-csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The live session a request's cookie names, if any (no CSRF check: reads only). */
export async function sessionOf(c: Context, store: Database): Promise<{ secret: string; who: SignedIn } | undefined> {
  const secret = getCookie(c, SESSION_COOKIE);
  if (!secret) return undefined;
  const who = await useSession(store.db, secret);
  return who && { secret, who };
}

/**
 * A signed-in portal session as a credential: the same Principal and roles as a token, so the route
 * table's one role check covers both. A write with a session must carry the session's CSRF token in a
 * header (a cookie is sent by the browser whoever's page asks; the header only by the portal's own page).
 */
export function sessionAuthenticator(store: Database): Authenticate {
  return async (c) => {
    const s = await sessionOf(c, store);
    if (!s) return undefined;
    if (!SAFE.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER) ?? '';
      const want = csrfTokenFor(s.secret);
      if (sent.length !== want.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(want))) {
        throw new AppError('api.csrf', `a write with a portal session needs its CSRF token in the ${CSRF_HEADER} header`, {
          kind: 'forbidden', hint: 'the portal sends it by itself; a script should use an API token (Authorization: Bearer) instead of the cookie',
        });
      }
    }
    return { id: s.who.accountId, name: s.who.name, role: s.who.role, via: 'session' };
  };
}

/** API tokens (Authorization: Bearer) first, since they are explicit; otherwise the portal session cookie. */
export function serviceAuthenticator(store: Database): Authenticate {
  const token = tokenAuthenticator(store);
  const session = sessionAuthenticator(store);
  return async (c) => (c.req.header('authorization') !== undefined ? token(c) : session(c));
}
