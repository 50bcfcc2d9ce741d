import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { ensureKeyDir } from '../../keys/key-dir.ts';
import { generateKey, type KeyAlgorithm, listKeys, revokeCompromisedKey, rotateKey } from '../../keys/keyring.ts';
import { DEFAULT_DATA_DIR } from '../../release/open-services.ts';

interface KeyOpts { data: string; keys?: string; algorithm: string; userId?: string; json?: boolean; compromised?: boolean; reason?: string }

const dirOf = (o: KeyOpts) => resolve(o.keys ?? join(o.data, 'keys'));

function algorithm(a: string): KeyAlgorithm {
  if (a !== 'ed25519' && a !== 'rsa4096') {
    throw new AppError('keys.bad_algorithm', `unknown key algorithm "${a}"`, { hint: 'use ed25519 (default) or rsa4096; both verify with gpg 2.2' });
  }
  return a;
}

/** Every keys command first tightens the folder (0700) and private keys (0600), and says what it changed. */
async function keyDir(o: KeyOpts, create = true): Promise<string> {
  const dir = dirOf(o);
  for (const f of await ensureKeyDir(dir, create)) process.stderr.write(`warning: permissions were too wide, fixed ${f}\n`);
  return dir;
}

/** Revocation reasons end up in every client's keyring and terminal: printable text only. */
function reasonOf(r: string | undefined): string | undefined {
  if (r === undefined) return undefined;
  if (r.length > 200 || /[\p{Cc}\p{Cf}]/u.test(r)) {
    throw new AppError('keys.bad_reason', 'the revocation reason must be at most 200 printable characters', { hint: 'e.g. --reason "laptop stolen 2026-11-30"' });
  }
  return r;
}

/** `herd keys generate|rotate|revoke|list`: the release signing keys. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the release signing keys');
  const common = (c: Command) => c
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--keys <dir>', 'key directory (default: DATA/keys)');
  common(keys.command('generate').description('create the first signing key'))
    .option('--algorithm <name>', 'ed25519 or rsa4096', 'ed25519')
    .option('--user-id <uid>', 'key owner, e.g. "Example Cloud Images <images@example.org>"')
    .action(async (o: KeyOpts) => {
      const dir = await keyDir(o);
      const k = await generateKey(dir, { algorithm: algorithm(o.algorithm), userId: o.userId });
      process.stdout.write(`created ${k.algorithm} key ${k.fingerprint}\npublic keyring: ${join(dir, 'keyring.asc')}\n`);
    });
  common(keys.command('rotate').description('replace the active key; the old one is marked retired in the keyring and signs nothing more'))
    .option('--algorithm <name>', 'ed25519 or rsa4096', 'ed25519')
    .option('--user-id <uid>', 'key owner')
    .action(async (o: KeyOpts) => {
      const k = await rotateKey(await keyDir(o), { algorithm: algorithm(o.algorithm), userId: o.userId });
      process.stdout.write(`new active key ${k.fingerprint}; a running server signs with it from its next feed\n`
        + 'clients must refresh keyring.asc from the origin (GET /keys/keyring.asc) to accept feeds signed with it\n');
    });
  common(keys.command('revoke').description('revoke a leaked key: clients that refresh the keyring refuse everything it signed'))
    .argument('<fingerprint>', 'the key, as `herd keys list` prints it (at least its last 16 hex digits)')
    .requiredOption('--compromised', 'the key leaked (required: to stop using a key routinely, use `herd keys rotate`)')
    .option('--reason <text>', 'why, published in the keyring')
    .option('--algorithm <name>', 'algorithm of the replacement key, if the active key is revoked', 'ed25519')
    .option('--user-id <uid>', 'owner of the replacement key')
    .action(async (fingerprint: string, o: KeyOpts) => {
      const r = await revokeCompromisedKey(await keyDir(o), fingerprint, { reason: reasonOf(o.reason), algorithm: algorithm(o.algorithm), userId: o.userId });
      process.stdout.write(`revoked key ${r.revoked.fingerprint} as compromised; its private key file is deleted\n`);
      if (r.replacement) process.stdout.write(`new active key ${r.replacement.fingerprint}; a running server signs with it from its next feed\n`);
      process.stdout.write('republish the feeds now (any publish or refresh) and have clients refresh keyring.asc from the origin\n');
    });
  common(keys.command('list').description('list keys, active, retired and revoked'))
    .option('--json', 'print JSON')
    .action(async (o: KeyOpts) => {
      const list = await listKeys(await keyDir(o, false));
      if (o.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
      if (list.length === 0) process.stdout.write('no keys; create one with `herd keys generate`\n');
      for (const k of list) {
        const when = k.status === 'revoked' ? ` revoked ${k.revoked}` : k.status === 'retired' ? ` retired ${k.retired}` : '';
        process.stdout.write(`${k.status.padEnd(8)} ${k.fingerprint} ${k.algorithm.padEnd(8)} ${k.created} ${k.userId}${when}\n`);
      }
    });
}
