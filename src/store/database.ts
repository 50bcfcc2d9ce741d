import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.ts';
import { migrateToLatest } from './migrations.ts';
import type { Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** An open, migrated database. Queries are plain functions that take `db` first. */
export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: use (and create) this schema, so concurrent test files never share tables. */
  schema?: string;
  poolSize?: number;
}

/** `postgres://…` or `postgresql://…` selects PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const dialect: Dialect = /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  const db = dialect === 'postgres' ? await openPostgres(url, options) : openSqlite(url);
  try {
    await migrateToLatest(db, dialect, dialect === 'postgres' ? options.schema : undefined);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, dialect, close: () => db.destroy() };
}

function openSqlite(path: string): Kysely<Schema> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(path);
  } catch (e) {
    throw new AppError('store.open_failed', `cannot open SQLite database ${path}: ${(e as Error).message}`, {
      kind: 'user', cause: e, hint: 'pass --data DIR with a writable directory, or --database postgres://…',
    });
  }
  // WAL lets a `herd worker` process read while `herd serve` writes; busy_timeout waits out short write locks.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** int8 (bigint) columns hold artifact sizes; they fit in a JS number far beyond any disk image. */
const pgTypes = {
  getTypeParser(oid: number, format?: any) {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

async function openPostgres(url: string, options: OpenOptions): Promise<Kysely<Schema>> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new AppError('store.bad_schema', `invalid PostgreSQL schema name "${schema}"`, { hint: 'use lower-case letters, digits and _' });
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes as any,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end();
    throw new AppError('store.unreachable', `cannot connect to PostgreSQL at ${redact(url)}: ${(e as Error).message}`, {
      kind: 'dependency', cause: e, hint: 'check that the server is running and that the URL, user and password are right',
    });
  }
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** Never print a password from a connection URL. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
