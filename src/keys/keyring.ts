import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { OpenPgpSigner } from './openpgp-signer.ts';

/**
 * Release keys in a directory: `keys.json` lists them, `<FPR>.key.asc` holds a private key (mode 600),
 * `keyring.asc` holds every public key, active and retired, for clients to verify old and new feeds.
 */
const KeyEntry = z.object({
  fingerprint: z.string(),
  algorithm: z.enum(['ed25519', 'rsa4096']),
  userId: z.string(),
  created: z.string(),
  status: z.enum(['active', 'retired']),
  retired: z.string().optional(),
});
export type KeyEntry = z.infer<typeof KeyEntry>;
const KeyIndex = z.object({ schemaVersion: z.literal(1), keys: z.array(KeyEntry) });
type KeyIndex = z.infer<typeof KeyIndex>;

export type KeyAlgorithm = KeyEntry['algorithm'];
export const DEFAULT_USER_ID = 'Herd release signing key <release@herd.invalid>';

async function readIndex(dir: string): Promise<KeyIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, 'keys.json'), 'utf8');
  } catch {
    return { schemaVersion: 1, keys: [] };
  }
  const parsed = KeyIndex.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new AppError('keys.corrupt', `${join(dir, 'keys.json')} is not a valid key index: ${parsed.error.issues[0]?.message}`, {
      hint: 'restore it from a backup; do not edit it by hand',
    });
  }
  return parsed.data;
}

export async function listKeys(dir: string): Promise<KeyEntry[]> {
  return (await readIndex(dir)).keys;
}

/** Creates the first key. Refuses when one exists: replacing a key is `rotate`, which keeps the old public key. */
export async function generateKey(dir: string, options: { algorithm?: KeyAlgorithm; userId?: string } = {}): Promise<KeyEntry> {
  const index = await readIndex(dir);
  if (index.keys.some((k) => k.status === 'active')) {
    throw new AppError('keys.exists', `an active signing key already exists in ${dir}`, { kind: 'conflict', hint: 'use `herd keys rotate` to replace it' });
  }
  return addKey(dir, index, options);
}

/** Makes a new active key and retires the old one; its public key stays in keyring.asc. */
export async function rotateKey(dir: string, options: { algorithm?: KeyAlgorithm; userId?: string } = {}): Promise<KeyEntry> {
  const index = await readIndex(dir);
  if (!index.keys.some((k) => k.status === 'active')) {
    throw new AppError('keys.none', `no active signing key in ${dir} to rotate`, { hint: 'create one with `herd keys generate`' });
  }
  const now = new Date().toISOString();
  for (const k of index.keys) if (k.status === 'active') Object.assign(k, { status: 'retired', retired: now });
  return addKey(dir, index, options);
}

async function addKey(dir: string, index: KeyIndex, options: { algorithm?: KeyAlgorithm; userId?: string }): Promise<KeyEntry> {
  const algorithm = options.algorithm ?? 'ed25519';
  const userId = options.userId ?? DEFAULT_USER_ID;
  const { name, email } = /^(?<name>.*?)\s*<(?<email>[^>]+)>$/.exec(userId)?.groups ?? { name: userId, email: undefined };
  // gpg 2.2 verifies v4 EdDSA (ed25519Legacy) and RSA signatures, not RFC 9580 v6 Ed25519 ones.
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...(algorithm === 'rsa4096' ? { type: 'rsa' as const, rsaBits: 4096 } : { type: 'ecc' as const, curve: 'ed25519Legacy' as const }),
    userIDs: [{ name, email }],
    format: 'armored',
  });
  const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
  const entry: KeyEntry = { fingerprint, algorithm, userId, created: new Date().toISOString(), status: 'active' };
  await writeFileAtomic(join(dir, `${fingerprint}.key.asc`), privateKey, 0o600);
  await writeFileAtomic(join(dir, `${fingerprint}.pub.asc`), publicKey);
  index.keys.push(entry);
  await writeFileAtomic(join(dir, 'keyring.asc'), await publicKeyring(dir, index.keys));
  await writeFileAtomic(join(dir, 'keys.json'), JSON.stringify(index, null, 2) + '\n');
  return entry;
}

async function publicKeyring(dir: string, keys: KeyEntry[]): Promise<string> {
  const parts = await Promise.all(keys.map((k) => readFile(join(dir, `${k.fingerprint}.pub.asc`), 'utf8')));
  return parts.join('\n');
}

/** The armored public keys of every key ever used here, for verifiers. */
export async function readKeyring(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, 'keyring.asc'), 'utf8');
  } catch {
    throw noKey(dir);
  }
}

export async function loadActiveSigner(dir: string): Promise<OpenPgpSigner> {
  const active = (await readIndex(dir)).keys.find((k) => k.status === 'active');
  if (!active) throw noKey(dir);
  return OpenPgpSigner.fromArmored(await readFile(join(dir, `${active.fingerprint}.key.asc`), 'utf8'));
}

function noKey(dir: string): AppError {
  return new AppError('keys.none', `no signing key in ${dir}`, { kind: 'dependency', hint: 'create one with `herd keys generate --data DIR`' });
}
