import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { ROLES } from '../../catalog/roles.ts';
import { CSRF_HEADER, SESSION_COOKIE, sessionOf } from '../../auth/session-authenticate.ts';
import { PASSWORD_MAX } from '../../store/passwords.ts';
import { AppError } from '../../errors.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { checkCredentials } from '../../store/accounts.ts';
import { recordAudit } from '../../store/audit.ts';
import { createSession, csrfTokenFor, revokeSession, SESSION_LIFETIME_MS } from '../../store/sessions.ts';
import { FailureLimiter } from '../failure-limiter.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const SignedIn = z.object({
  signedIn: z.literal(true),
  account: z.object({ name: z.string(), role: z.enum(ROLES) }),
  csrfToken: z.string().describe('send it in the csrfHeader header on every write made with this session'),
  csrfHeader: z.string(),
  expiresAt: z.string(),
});
const SignedOut = z.object({ signedIn: z.literal(false) });

const SignIn = z.object({ name: text({ min: 1, max: 60 }), password: z.string().min(1).max(PASSWORD_MAX) });

/** The address the request came from (the socket's, never a header a client can write). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface SessionRouteOptions {
  /** Failed sign-ins allowed per account name and per client address in the window (default 5 and 20 per 15 min). */
  limits?: { perName: number; perAddress: number; windowMs: number };
}

/**
 * Portal sign-in: a name and password become a session cookie (HttpOnly: scripts cannot read it; Secure;
 * SameSite=Strict: other sites' pages never send it) plus a CSRF token the portal sends on writes.
 * Wrong name and wrong password get the same answer; failures are rate limited per name and per address.
 */
export function sessionRoutes(svc: ReleaseServices, o: SessionRouteOptions = {}): RouteDef[] {
  const l = o.limits ?? { perName: 5, perAddress: 20, windowMs: 15 * 60_000 };
  const byName = new FailureLimiter({ max: l.perName, windowMs: l.windowMs });
  const byAddress = new FailureLimiter({ max: l.perAddress, windowMs: l.windowMs });
  return [
    route({ method: 'post', path: '/api/session', tag: 'session', summary: 'Sign in to the portal with an account name and password', body: SignIn, response: SignedIn,
      handler: async (c, { body }) => {
        const address = clientAddress(c);
        const wait = Math.max(byName.retryAfter(body.name), byAddress.retryAfter(address));
        if (wait > 0) {
          c.header('retry-after', String(wait));
          throw new AppError('session.rate_limited', `too many failed sign-ins; try again in ${wait} s`, { kind: 'rate_limited', hint: 'an admin can set a new password with `herd accounts password NAME`' });
        }
        const account = await checkCredentials(svc.store.db, body.name, body.password);
        if (!account) {
          byName.fail(body.name);
          byAddress.fail(address);
          await recordAudit(svc.store.db, { actor: 'anonymous', action: 'sign_in_failed', subject: body.name, detail: { address } });
          throw new AppError('session.bad_credentials', 'the account name or password is wrong', { kind: 'unauthenticated', hint: 'names are lower case; after 5 failures sign-in waits 15 minutes' });
        }
        byName.reset(body.name);
        const s = await createSession(svc.store.db, account.id);
        await recordAudit(svc.store.db, { actor: account.name, action: 'sign_in', subject: account.name, detail: { address, session: s.id } });
        setCookie(c, SESSION_COOKIE, s.secret, { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: SESSION_LIFETIME_MS / 1000 });
        return c.json({ signedIn: true as const, account: { name: account.name, role: account.role }, csrfToken: csrfTokenFor(s.secret), csrfHeader: CSRF_HEADER, expiresAt: s.expiresAt });
      } }),
    route({ method: 'get', path: '/api/session', tag: 'session', summary: 'Who is signed in (and the CSRF token for writes), or signedIn: false', response: z.discriminatedUnion('signedIn', [SignedIn, SignedOut]),
      handler: async (c) => {
        c.header('cache-control', 'no-store');
        const s = await sessionOf(c, svc.store);
        if (!s) return c.json({ signedIn: false as const });
        return c.json({ signedIn: true as const, account: { name: s.who.name, role: s.who.role }, csrfToken: csrfTokenFor(s.secret), csrfHeader: CSRF_HEADER, expiresAt: s.who.expiresAt });
      } }),
    route({ method: 'post', path: '/api/session/sign-out', tag: 'session', summary: 'End this portal session', role: 'viewer', response: SignedOut,
      handler: async (c) => {
        const s = await sessionOf(c, svc.store);
        if (s) {
          await revokeSession(svc.store.db, s.who.sessionId);
          await recordAudit(svc.store.db, { actor: s.who.name, action: 'sign_out', subject: s.who.name, detail: { session: s.who.sessionId } });
        }
        deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
        return c.json({ signedIn: false as const });
      } }),
  ];
}
