import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { AppError } from '../../errors.ts';
import { checkArtifactsLocation, DEFAULT_DATA_DIR, DEFAULT_PUBLIC_URL, type ServiceOptions } from '../../release/open-services.ts';
import { checkPublicUrl } from '../../release/public-url.ts';
import { type Database, openDatabase } from '../../store/database.ts';

/** The options every release-service command shares: where the data, database, artifacts and keys live. */
export function withServiceOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory: herd.db, artifacts/ and keys/ unless set separately', DEFAULT_DATA_DIR)
    .option('--database <url>', 'postgres://user:pass@host/db, or a SQLite file (default: DATA/herd.db)')
    .option('--artifacts <dir|s3-url>', 'artifact directory, or s3://BUCKET/PREFIX (AWS_* env, HERD_S3_ENDPOINT for S3-compatible servers) (default: DATA/artifacts)')
    .option('--keys <dir>', 'signing key directory (default: DATA/keys)')
    .option('--recipes <dir>', 'recipe catalogue that API builds name recipes from by id (default: the recipes/ folder of this herd)')
    .option('--targets <file>', 'cloud targets file: where herd publish-cloud and publish-cloud jobs upload (default: DATA/targets.yaml)')
    .option('--public-url <url>', `base URL clients download from; feeds contain absolute links under it. Stored: set it once (default: the stored one, else where serve listens, else ${DEFAULT_PUBLIC_URL})`);
}

export interface RawServiceOptions { data: string; database?: string; artifacts?: string; keys?: string; publicUrl?: string; recipes?: string; targets?: string }

export function serviceOptions(o: RawServiceOptions): ServiceOptions {
  const publicUrl = o.publicUrl === undefined ? undefined : checkPublicUrl(o.publicUrl);
  if (o.artifacts !== undefined) checkArtifactsLocation(o.artifacts);
  return { dataDir: resolve(o.data), database: o.database, artifacts: o.artifacts, keysDir: o.keys, publicUrl, recipesDir: o.recipes, targets: o.targets };
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new AppError('cli.bad_port', `--port ${value} is not a port number`, { hint: 'use 0-65535 (0 picks a free port)' });
  }
  return n;
}

export function parsePositive(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new AppError('cli.bad_number', `${flag} ${value} is not a positive number`);
    return n;
  };
}

export function parseNonNegative(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new AppError('cli.bad_number', `${flag} ${value} is not a number of 0 or more`);
    return n;
  };
}

/** Opens the service's database for a command run by the local operator (tokens, accounts), and closes it. */
export async function withServiceStore<T>(o: RawServiceOptions, use: (db: Database) => Promise<T>): Promise<T> {
  const opts = serviceOptions(o);
  const store = await openDatabase(opts.database ?? join(opts.dataDir, 'herd.db'));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
