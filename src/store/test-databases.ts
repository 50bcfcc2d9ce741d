import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from './database.ts';

/**
 * The databases every store/queue contract test runs on. PostgreSQL runs when HERD_TEST_POSTGRES_URL is
 * set (CI sets it); each open() gets its own schema, dropped on close, so test files may run in parallel.
 */
export interface TestDatabase { name: string; skip: string | false; open(options?: { poolSize?: number }): Promise<TestHandle> }
export interface TestHandle extends Database { url: string; schema?: string }

export const POSTGRES_URL = process.env.HERD_TEST_POSTGRES_URL;

export const testDatabases: TestDatabase[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'herd-store-'));
      const url = join(dir, 'herd.db');
      const d = await openDatabase(url);
      return { ...d, url, close: async () => { await d.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres',
    skip: POSTGRES_URL ? false : 'HERD_TEST_POSTGRES_URL is not set (CI sets it; export it to run the PostgreSQL variant)',
    async open(options = {}) {
      const url = POSTGRES_URL!;
      const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
      const d = await openDatabase(url, { schema, poolSize: options.poolSize });
      return { ...d, url, schema, close: async () => { await d.close(); await dropSchema(url, schema); } };
    },
  },
];

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
