import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { generateKey, type KeyAlgorithm, listKeys, rotateKey } from '../../keys/keyring.ts';
import { DEFAULT_DATA_DIR } from '../../release/open-services.ts';

interface KeyOpts { data: string; keys?: string; algorithm: string; userId?: string; json?: boolean }

const dirOf = (o: KeyOpts) => resolve(o.keys ?? join(o.data, 'keys'));

function algorithm(a: string): KeyAlgorithm {
  if (a !== 'ed25519' && a !== 'rsa4096') {
    throw new AppError('keys.bad_algorithm', `unknown key algorithm "${a}"`, { hint: 'use ed25519 (default) or rsa4096; both verify with gpg 2.2' });
  }
  return a;
}

/** `herd keys generate|rotate|list`: the release signing keys. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the release signing keys');
  const common = (c: Command) => c
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--keys <dir>', 'key directory (default: DATA/keys)');
  common(keys.command('generate').description('create the first signing key'))
    .option('--algorithm <name>', 'ed25519 or rsa4096', 'ed25519')
    .option('--user-id <uid>', 'key owner, e.g. "Example Cloud Images <images@example.org>"')
    .action(async (o: KeyOpts) => {
      const k = await generateKey(dirOf(o), { algorithm: algorithm(o.algorithm), userId: o.userId });
      process.stdout.write(`created ${k.algorithm} key ${k.fingerprint}\npublic keyring: ${join(dirOf(o), 'keyring.asc')}\n`);
    });
  common(keys.command('rotate').description('replace the active key; the old public key stays in the keyring'))
    .option('--algorithm <name>', 'ed25519 or rsa4096', 'ed25519')
    .option('--user-id <uid>', 'key owner')
    .action(async (o: KeyOpts) => {
      const k = await rotateKey(dirOf(o), { algorithm: algorithm(o.algorithm), userId: o.userId });
      process.stdout.write(`new active key ${k.fingerprint}; feeds are signed with it from their next generation\n`);
    });
  common(keys.command('list').description('list keys, active and retired'))
    .option('--json', 'print JSON')
    .action(async (o: KeyOpts) => {
      const list = await listKeys(dirOf(o));
      if (o.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
      if (list.length === 0) process.stdout.write('no keys; create one with `herd keys generate`\n');
      for (const k of list) process.stdout.write(`${k.status.padEnd(8)} ${k.fingerprint} ${k.algorithm.padEnd(8)} ${k.created} ${k.userId}\n`);
    });
}
