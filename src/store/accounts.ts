import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { isRole, type Role, ROLES } from '../catalog/roles.ts';
import { AppError } from '../errors.ts';
import type { AccountTable, Schema } from './schema.ts';

/** A portal account as listed: never its password hash. */
export interface Account {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
}

/** Account names: what people type to sign in and what reviews show; no spaces, no look-alike tricks. */
export const ACCOUNT_NAME = /^[a-z][a-z0-9._-]{1,38}[a-z0-9]$/;

function checkName(name: string): void {
  if (!ACCOUNT_NAME.test(name)) {
    throw new AppError('account.bad_name', `account name "${name.slice(0, 60)}" is not 3-40 lower-case letters, digits, ".", "_" or "-"`, {
      hint: 'start with a letter and end with a letter or digit, e.g. "alice" or "j.doe"',
    });
  }
}

function checkRole(role: string): asserts role is Role {
  if (!isRole(role)) throw new AppError('account.bad_role', `unknown role "${role}"`, { hint: `use one of: ${ROLES.join(', ')}` });
}

export async function createAccount(db: Kysely<Schema>, o: { name: string; role: string; password: string; now?: Date }): Promise<Account> {
  checkName(o.name);
  checkRole(o.role);
  const row: AccountTable = {
    id: randomBytes(6).toString('hex'), name: o.name, role: o.role, password_hash: await hashPassword(o.password),
    created_at: (o.now ?? new Date()).toISOString(), disabled_at: null,
  };
  const taken = await db.selectFrom('accounts').select('id').where('name', '=', o.name).executeTakeFirst();
  if (taken) throw new AppError('account.exists', `an account named ${o.name} exists`, { kind: 'conflict', hint: 'pick another name, or change its role with `herd accounts role NAME ROLE`' });
  await db.insertInto('accounts').values(row).execute();
  return toAccount(row);
}

export async function listAccounts(db: Kysely<Schema>): Promise<Account[]> {
  return (await db.selectFrom('accounts').selectAll().orderBy('name').execute()).map(toAccount);
}

export async function getAccount(db: Kysely<Schema>, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}

async function byName(db: Kysely<Schema>, name: string): Promise<AccountTable> {
  const row = await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new AppError('account.not_found', `no account named ${name.slice(0, 60)}`, { kind: 'not_found', hint: 'list accounts with `herd accounts list`' });
  return row;
}

export async function setAccountRole(db: Kysely<Schema>, name: string, role: string): Promise<Account> {
  checkRole(role);
  const row = await byName(db, name);
  await db.updateTable('accounts').set({ role }).where('id', '=', row.id).execute();
  return toAccount({ ...row, role });
}

export async function setAccountPassword(db: Kysely<Schema>, name: string, password: string): Promise<Account> {
  const row = await byName(db, name);
  await db.updateTable('accounts').set({ password_hash: await hashPassword(password) }).where('id', '=', row.id).execute();
  return toAccount(row);
}

/** Disables the account: it can no longer sign in, and its sessions stop working at once. */
export async function disableAccount(db: Kysely<Schema>, name: string, now = new Date()): Promise<Account> {
  const row = await byName(db, name);
  if (!row.disabled_at) {
    row.disabled_at = now.toISOString();
    await db.updateTable('accounts').set({ disabled_at: row.disabled_at }).where('id', '=', row.id).execute();
    await db.updateTable('sessions').set({ revoked_at: row.disabled_at }).where('account_id', '=', row.id).where('revoked_at', 'is', null).execute();
  }
  return toAccount(row);
}

/**
 * The account a name and password sign in as, or undefined. An unknown name still costs one scrypt
 * (against a dummy hash), so response times do not tell which names exist; a disabled account fails too.
 */
export async function checkCredentials(db: Kysely<Schema>, name: string, password: string): Promise<Account | undefined> {
  const row = ACCOUNT_NAME.test(name) ? await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst() : undefined;
  const ok = await verifyPassword(password, row?.password_hash ?? await dummyHash());
  return row && ok && !row.disabled_at ? toAccount(row) : undefined;
}

function toAccount(r: AccountTable): Account {
  return { id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at, disabledAt: r.disabled_at };
}
