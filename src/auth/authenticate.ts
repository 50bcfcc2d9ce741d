import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { useToken } from '../store/tokens.ts';
import type { Principal, Role } from '../catalog/roles.ts';

/**
 * Turns a request's credential into a Principal, or undefined when it carries none. A credential that is
 * present but wrong (unknown, revoked, expired) is refused outright rather than treated as anonymous.
 * Portal sessions will be a second Authenticate composed with this one; the role check stays the same.
 */
export type Authenticate = (c: Context) => Promise<Principal | undefined>;

export function createHint(role: Role): string {
  return `create a token with \`herd tokens create --role ${role}\` and set HERD_TOKEN (the CLI sends it as Authorization: Bearer)`;
}

export function tokenAuthenticator(store: Database): Authenticate {
  return async (c) => {
    const header = c.req.header('authorization');
    if (header === undefined) return undefined;
    const m = /^Bearer ([A-Za-z0-9_\-]{1,200})$/.exec(header);
    const token = m ? await useToken(store.db, m[1]!) : undefined;
    if (!token) {
      throw new AppError('api.unauthenticated', 'the token is not valid (unknown, revoked or expired)', {
        kind: 'unauthenticated', hint: 'ask an admin for a new token (`herd tokens create --role ROLE`) and set HERD_TOKEN',
      });
    }
    return { id: token.id, name: token.name, role: token.role, via: 'token' };
  };
}
