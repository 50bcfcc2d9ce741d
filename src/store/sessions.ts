import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../catalog/roles.ts';
import type { Schema } from './schema.ts';

export const SESSION_PREFIX = 'herds_';
/** A session lasts 12 hours from sign-in, and ends sooner after 2 hours without a request. */
export const SESSION_LIFETIME_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;
const SEEN_GRANULARITY_MS = 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The CSRF token of a session, derived from its secret: a page of the portal gets it from GET /api/session
 * and sends it back in a header on every write; another site's page can neither read the HttpOnly cookie
 * nor that answer, so it cannot forge the header. Nothing more to store.
 */
export function csrfTokenFor(secret: string): string {
  return sha256(`herd-csrf:${secret}`);
}

export interface SignedIn { sessionId: string; accountId: string; name: string; role: Role; expiresAt: string }

export async function createSession(db: Kysely<Schema>, accountId: string, now = new Date()): Promise<{ id: string; secret: string; expiresAt: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString();
  await db.insertInto('sessions').values({
    id, account_id: accountId, token_hash: sha256(secret), created_at: now.toISOString(), expires_at: expiresAt,
    last_seen_at: now.toISOString(), revoked_at: null,
  }).execute();
  return { id, secret, expiresAt };
}

/** Who a session cookie signs in (live session, enabled account, the account's role now), or undefined. */
export async function useSession(db: Kysely<Schema>, secret: string, now = new Date()): Promise<SignedIn | undefined> {
  if (!secret.startsWith(SESSION_PREFIX) || secret.length > 200) return undefined;
  const hash = sha256(secret);
  const row = await db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(['sessions.id as id', 'sessions.token_hash as token_hash', 'sessions.expires_at as expires_at', 'sessions.last_seen_at as last_seen_at',
      'sessions.revoked_at as revoked_at', 'accounts.id as account_id', 'accounts.name as name', 'accounts.role as role', 'accounts.disabled_at as disabled_at'])
    .where('sessions.token_hash', '=', hash).executeTakeFirst();
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  const t = now.getTime();
  if (row.revoked_at || row.disabled_at || Date.parse(row.expires_at) <= t || t - Date.parse(row.last_seen_at) > SESSION_IDLE_MS) return undefined;
  if (t - Date.parse(row.last_seen_at) >= SEEN_GRANULARITY_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { sessionId: row.id, accountId: row.account_id, name: row.name, role: row.role as Role, expiresAt: row.expires_at };
}

export async function revokeSession(db: Kysely<Schema>, id: string, now = new Date()): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}
