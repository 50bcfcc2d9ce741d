import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { ensureKeyDir } from './key-dir.ts';
import { OpenPgpSigner } from './openpgp-signer.ts';

/**
 * Release keys in a directory (mode 700): `keys.json` lists them, `<FPR>.key.asc` holds a private key
 * (mode 600), `<FPR>.pub.asc` its public key, and `keyring.asc` every public key, active, retired and
 * revoked, for clients. Retiring or revoking a key adds a self-signed OpenPGP revocation to its public
 * key (reason "superseded" or "compromised", dated when it happened): that is how clients that pin
 * keyring.asc learn the retirement time, from the key itself, in a form nobody can strip from their copy.
 */
const KeyEntry = z.object({
  fingerprint: z.string().regex(/^[0-9A-F]{40}$/),
  algorithm: z.enum(['ed25519', 'rsa4096']),
  userId: z.string(),
  created: z.string(),
  status: z.enum(['active', 'retired', 'revoked']),
  /** When it stopped signing (rotation); signatures made later are refused by `herd verify`. */
  retired: z.string().optional(),
  /** When it was revoked as compromised; everything it ever signed is refused. */
  revoked: z.string().optional(),
  revocationReason: z.string().optional(),
});
export type KeyEntry = z.infer<typeof KeyEntry>;
const KeyIndex = z.object({ schemaVersion: z.literal(1), keys: z.array(KeyEntry) });
type KeyIndex = z.infer<typeof KeyIndex>;

export type KeyAlgorithm = KeyEntry['algorithm'];
export const DEFAULT_USER_ID = 'Herd release signing key <release@herd.invalid>';
interface NewKeyOptions { algorithm?: KeyAlgorithm; userId?: string }

const CORRUPT_HINT = 'restore keys.json from a backup (it lists the <FPR>.key.asc files in the same folder); do not edit it by hand';

async function readIndex(dir: string): Promise<KeyIndex> {
  const path = join(dir, 'keys.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, keys: [] };
    throw new AppError('keys.unreadable', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`, {
      kind: 'dependency', hint: 'run herd as the user that owns the key folder',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AppError('keys.corrupt', `${path} is not valid JSON: ${(e as Error).message}`, { kind: 'dependency', hint: CORRUPT_HINT });
  }
  const parsed = KeyIndex.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('keys.corrupt', `${path} is not a valid key index: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { kind: 'dependency', hint: CORRUPT_HINT });
  }
  if (parsed.data.keys.filter((k) => k.status === 'active').length > 1) {
    throw new AppError('keys.corrupt', `${path} lists more than one active key`, { kind: 'dependency', hint: CORRUPT_HINT });
  }
  return parsed.data;
}

export async function listKeys(dir: string): Promise<KeyEntry[]> {
  return (await readIndex(dir)).keys;
}

/** Creates the first key. Refuses when one exists: replacing a key is `rotate`, which keeps the old public key. */
export async function generateKey(dir: string, options: NewKeyOptions = {}): Promise<KeyEntry> {
  await ensureKeyDir(dir);
  const index = await readIndex(dir);
  if (index.keys.some((k) => k.status === 'active')) {
    throw new AppError('keys.exists', `an active signing key already exists in ${dir}`, { kind: 'conflict', hint: 'use `herd keys rotate` to replace it' });
  }
  const entry = await createKey(dir, options);
  index.keys.push(entry);
  await writeIndex(dir, index);
  return entry;
}

/**
 * Makes a new active key and retires the old one: its public key gets a "superseded" revocation dated
 * now and stays in keyring.asc, so feeds it signed before stay valid until they expire, and nothing it
 * signs later verifies. A running server notices keys.json changed and signs with the new key at once.
 */
export async function rotateKey(dir: string, options: NewKeyOptions = {}): Promise<KeyEntry> {
  await ensureKeyDir(dir);
  const index = await readIndex(dir);
  const old = index.keys.find((k) => k.status === 'active');
  if (!old) {
    throw new AppError('keys.none', `no active signing key in ${dir} to rotate`, { hint: 'create one with `herd keys generate`' });
  }
  const entry = await createKey(dir, options);
  const now = new Date();
  await addRevocation(dir, old, openpgp.enums.reasonForRevocation.keySuperseded, `superseded by ${entry.fingerprint}`, now);
  Object.assign(old, { status: 'retired', retired: now.toISOString() });
  index.keys.push(entry);
  await writeIndex(dir, index);
  return entry;
}

/**
 * Revokes a key as compromised: clients that refresh keyring.asc refuse everything it signed, whatever
 * the date. Its private key file is deleted, so it cannot sign here again. Revoking the active key
 * makes a new active key first, so the service can go on signing.
 */
export async function revokeCompromisedKey(dir: string, fingerprint: string, options: NewKeyOptions & { reason?: string } = {}):
  Promise<{ revoked: KeyEntry; replacement?: KeyEntry }> {
  await ensureKeyDir(dir);
  const index = await readIndex(dir);
  const target = findKey(index, dir, fingerprint);
  if (target.status === 'revoked') {
    throw new AppError('keys.already_revoked', `key ${target.fingerprint} was already revoked on ${target.revoked}`, { kind: 'conflict' });
  }
  const reason = options.reason ?? 'key material compromised';
  let replacement: KeyEntry | undefined;
  if (target.status === 'active') replacement = await createKey(dir, options);
  const now = new Date();
  await addRevocation(dir, target, openpgp.enums.reasonForRevocation.keyCompromised, reason, now);
  Object.assign(target, { status: 'revoked', revoked: now.toISOString(), revocationReason: reason, retired: target.retired ?? now.toISOString() });
  if (replacement) index.keys.push(replacement);
  await writeIndex(dir, index);
  await rm(join(dir, `${target.fingerprint}.key.asc`), { force: true });
  return { revoked: target, replacement };
}

function findKey(index: KeyIndex, dir: string, fingerprint: string): KeyEntry {
  const want = fingerprint.replace(/\s+/g, '').toUpperCase();
  const matches = want.length >= 16 ? index.keys.filter((k) => k.fingerprint.endsWith(want)) : [];
  if (matches.length !== 1) {
    throw new AppError('keys.not_found', `no single key in ${dir} matches "${fingerprint}"`, {
      kind: 'not_found', hint: 'give the full fingerprint (or at least its last 16 hex digits) as `herd keys list` prints it',
    });
  }
  return matches[0]!;
}

async function createKey(dir: string, options: NewKeyOptions): Promise<KeyEntry> {
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
  await writeFileAtomic(join(dir, `${fingerprint}.key.asc`), privateKey, 0o600);
  await writeFileAtomic(join(dir, `${fingerprint}.pub.asc`), publicKey);
  return { fingerprint, algorithm, userId, created: new Date().toISOString(), status: 'active' };
}

/** Adds a self-signed key revocation, dated `date`, to the key's public key file. */
async function addRevocation(dir: string, entry: KeyEntry, flag: openpgp.enums.reasonForRevocation, reason: string, date: Date): Promise<void> {
  const privateKey = await readPrivateKey(dir, entry);
  const revoked = await openpgp.revokeKey({ key: privateKey, reasonForRevocation: { flag, string: reason }, date, format: 'object' });
  const pubPath = join(dir, `${entry.fingerprint}.pub.asc`);
  const pub = await openpgp.readKey({ armoredKey: await readFile(pubPath, 'utf8') });
  pub.revocationSignatures.push(...revoked.publicKey.revocationSignatures);
  await writeFileAtomic(pubPath, pub.armor());
}

/** keyring.asc is written before keys.json: whoever sees the new index can already serve the new keyring. */
async function writeIndex(dir: string, index: KeyIndex): Promise<void> {
  await backfillRevocations(dir, index);
  // One armored block holding every key: gpg and openpgp.readKeys read all of them (they read only the
  // first of several concatenated blocks).
  const keys = await Promise.all(index.keys.map(async (k) => openpgp.readKey({ armoredKey: await readFile(join(dir, `${k.fingerprint}.pub.asc`), 'utf8') })));
  const packets = new openpgp.PacketList();
  for (const k of keys) packets.push(...k.toPacketList());
  await writeFileAtomic(join(dir, 'keyring.asc'), openpgp.armor(openpgp.enums.armor.publicKey, packets.write(), undefined, undefined, undefined, true));
  await writeFileAtomic(join(dir, 'keys.json'), JSON.stringify(index, null, 2) + '\n', 0o600);
}

/**
 * Key folders from before revocations were published list retired keys whose public key does not say
 * so; clients would trust them forever. Any rewrite of the index dates their retirement in the keyring.
 */
async function backfillRevocations(dir: string, index: KeyIndex): Promise<void> {
  for (const k of index.keys) {
    if (k.status !== 'retired' || !k.retired) continue;
    const pub = await openpgp.readKey({ armoredKey: await readFile(join(dir, `${k.fingerprint}.pub.asc`), 'utf8') });
    if (pub.revocationSignatures.length > 0) continue;
    await addRevocation(dir, k, openpgp.enums.reasonForRevocation.keySuperseded, 'superseded', new Date(k.retired));
  }
}

/** The armored public keys of every key ever used here, with their revocations, for verifiers. */
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
  return OpenPgpSigner.fromArmored(await readFile(privatePath(dir, active), 'utf8').catch((e) => { throw missingKeyFile(dir, active, e); }));
}

async function readPrivateKey(dir: string, entry: KeyEntry): Promise<openpgp.PrivateKey> {
  const text = await readFile(privatePath(dir, entry), 'utf8').catch((e) => { throw missingKeyFile(dir, entry, e); });
  return openpgp.readPrivateKey({ armoredKey: text });
}

const privatePath = (dir: string, entry: KeyEntry) => join(dir, `${entry.fingerprint}.key.asc`);

function missingKeyFile(dir: string, entry: KeyEntry, e: unknown): AppError {
  return new AppError('keys.key_missing', `keys.json lists ${entry.status} key ${entry.fingerprint}, but ${privatePath(dir, entry)} cannot be read (${(e as NodeJS.ErrnoException).code})`, {
    kind: 'dependency',
    hint: 'restore the private key file from a backup; if it is lost, revoke the key with `herd keys revoke FPR --compromised` (which makes a new one) on a copy that still has it, or start a new key folder',
  });
}

function noKey(dir: string): AppError {
  return new AppError('keys.none', `no signing key in ${dir}`, { kind: 'dependency', hint: 'create one with `herd keys generate --data DIR`' });
}
