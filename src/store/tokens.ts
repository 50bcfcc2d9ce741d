import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isRole, type Role, ROLES } from '../catalog/roles.ts';
import { AppError } from '../errors.ts';
import type { Schema, TokenTable } from './schema.ts';

/** A token as listed: never the secret, never its hash. */
export interface Token {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const TOKEN_PREFIX = 'herd_';
/** How often last use is written back: once a minute per token is enough to answer "is it still used?". */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * Tokens are 32 random bytes, so a plain sha256 is enough to store them (nothing to brute-force, unlike a
 * password); the lookup is by hash, and the found hash is compared again in constant time.
 */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export async function createToken(db: Kysely<Schema>, o: { role: string; name?: string; expiresInDays?: number; now?: Date }):
  Promise<{ token: Token; secret: string }> {
  if (!isRole(o.role)) {
    throw new AppError('token.bad_role', `unknown role "${o.role}"`, { hint: `use one of: ${ROLES.join(', ')}` });
  }
  if (o.expiresInDays !== undefined && !(Number.isFinite(o.expiresInDays) && o.expiresInDays > 0 && o.expiresInDays <= 3650)) {
    throw new AppError('token.bad_expiry', `expiry of ${o.expiresInDays} days is not between 0 and 3650`, { hint: 'pass --expires DAYS, e.g. --expires 90' });
  }
  const now = o.now ?? new Date();
  const id = randomBytes(6).toString('hex');
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: TokenTable = {
    id, name: o.name ?? `${o.role}-${id}`, role: o.role, token_hash: hashToken(secret), created_at: now.toISOString(),
    expires_at: o.expiresInDays === undefined ? null : new Date(now.getTime() + o.expiresInDays * 86_400_000).toISOString(),
    last_used_at: null, revoked_at: null,
  };
  await db.insertInto('tokens').values(row).execute();
  return { token: toToken(row), secret };
}

export async function listTokens(db: Kysely<Schema>): Promise<Token[]> {
  const rows = await db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toToken);
}

export async function revokeToken(db: Kysely<Schema>, id: string, now = new Date()): Promise<Token> {
  const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('token.not_found', `no token with id ${id}`, { kind: 'not_found', hint: 'list tokens with `herd tokens list`' });
  if (!row.revoked_at) {
    row.revoked_at = now.toISOString();
    await db.updateTable('tokens').set({ revoked_at: row.revoked_at }).where('id', '=', id).execute();
  }
  return toToken(row);
}

/** Tokens that would authenticate now: neither revoked nor expired. */
export async function countUsableTokens(db: Kysely<Schema>, now = new Date()): Promise<number> {
  const { n } = await db.selectFrom('tokens').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The token a secret belongs to if it may be used now (not revoked, not expired); records its use. */
export async function useToken(db: Kysely<Schema>, secret: string, now = new Date()): Promise<Token | undefined> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return undefined;
  const hash = hashToken(secret);
  const row = await db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  if (row.revoked_at || (row.expires_at && row.expires_at <= now.toISOString())) return undefined;
  // Written at most once a minute per token, so a busy client does not turn every read into a write.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_GRANULARITY_MS) {
    row.last_used_at = now.toISOString();
    await db.updateTable('tokens').set({ last_used_at: row.last_used_at }).where('id', '=', row.id).execute();
  }
  return toToken(row);
}

function toToken(r: TokenTable): Token {
  return {
    id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at, expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
  };
}
