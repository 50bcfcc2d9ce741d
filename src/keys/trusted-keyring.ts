import * as openpgp from 'openpgp';
import { AppError } from '../errors.ts';
import { verifiedSignerKeyId } from './verify-signature.ts';
import type { Readable } from 'node:stream';

/** What the verifier knows about one key: when it was retired (superseded) and whether it was compromised. */
export interface KeyStatus { retired?: Date; compromised?: { at: Date; reason: string } }

/**
 * The publisher's keys as a client pinned them (keyring.asc). The publisher identity is the fingerprint
 * of the first key in it: keyring.asc lists keys oldest first and never drops one, so the identity stays
 * the same across rotations, and nothing the feed says can change it.
 */
export interface TrustedKeyring {
  publisher: string;
  keys: Map<string, { key: openpgp.Key; status: KeyStatus }>;
}

const SUPERSEDED = new Set<number>([openpgp.enums.reasonForRevocation.keySuperseded, openpgp.enums.reasonForRevocation.keyRetired]);

/**
 * Reads the keyring and the self-signed revocations each key carries. A revocation only counts if the
 * key itself made it (checked one by one). "Superseded"/"retired" revocations date a rotation; any other
 * reason (compromised, none given) revokes everything the key ever signed, as RFC 4880 5.2.3.23 says.
 */
export async function readTrustedKeyring(armoredKeys: string, source: string): Promise<TrustedKeyring> {
  let keys: openpgp.Key[];
  try {
    // Keyrings made by older herds (or by hand) concatenate armored blocks; readKeys reads one block.
    const blocks = armoredKeys.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g) ?? [armoredKeys];
    keys = (await Promise.all(blocks.map((b) => openpgp.readKeys({ armoredKeys: b })))).flat();
  } catch (e) {
    throw new AppError('keyring.unreadable', `cannot read the keyring ${source}: ${(e as Error).message}`, {
      hint: 'pass the publisher\'s keyring.asc (an armored OpenPGP public key block)',
    });
  }
  if (keys.length === 0) throw new AppError('keyring.unreadable', `${source} holds no keys`, { hint: 'pass the publisher\'s keyring.asc' });
  const out: TrustedKeyring = { publisher: keys[0]!.getFingerprint().toUpperCase(), keys: new Map() };
  for (const key of keys) {
    const status: KeyStatus = {};
    for (const sig of key.revocationSignatures) {
      const probe = (key as openpgp.PublicKey & { clone(): openpgp.Key }).clone();
      probe.revocationSignatures = [sig];
      if (!(await probe.isRevoked().catch(() => false)) || !sig.created) continue;
      if (sig.reasonForRevocationFlag !== null && SUPERSEDED.has(sig.reasonForRevocationFlag)) {
        if (!status.retired || sig.created < status.retired) status.retired = sig.created;
      } else if (!status.compromised || sig.created < status.compromised.at) {
        status.compromised = { at: sig.created, reason: sig.reasonForRevocationString || 'revoked' };
      }
    }
    // openpgp.js refuses signatures from revoked keys; the policy above is ours, so verify with the bare key.
    const bare = (key as openpgp.PublicKey & { clone(): openpgp.Key }).clone();
    bare.revocationSignatures = [];
    out.keys.set(key.getFingerprint().toUpperCase(), { key: bare, status });
  }
  return out;
}

/** Checks a detached signature; returns the key that made it and the creation time the signature claims. */
export async function verifyWithKeyring(data: Uint8Array | Readable, armoredSignature: string, keyring: TrustedKeyring, what: string):
  Promise<{ fingerprint: string; created: Date; status: KeyStatus }> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    throw new AppError('signature.unreadable', `cannot read the signature of ${what}: ${(e as Error).message}`, {
      hint: 'the signature must be an armored detached OpenPGP signature',
    });
  }
  const packets = signature.packets;
  if (packets.length !== 1) {
    throw new AppError('signature.invalid', `the signature of ${what} holds ${packets.length} signature packets, not one`, { hint: 'fetch the file and its .asc again from the origin' });
  }
  const verificationKeys = [...keyring.keys.values()].map((k) => k.key);
  try {
    const keyID = await verifiedSignerKeyId(data, signature, verificationKeys);
    const entry = [...keyring.keys.entries()].find(([, k]) => k.key.getKeyIDs().some((id) => id.equals(keyID)));
    if (!entry) throw new Error(`signed by unknown key ${keyID.toHex()}`);
    const created = packets[0]!.created;
    if (!created) throw new Error('the signature has no creation time');
    return { fingerprint: entry[0], created, status: entry[1].status };
  } catch (e) {
    throw new AppError('signature.invalid', `bad signature on ${what}: ${(e as Error).message}`, {
      hint: 'the file was altered or signed by a key that is not in the keyring; fetch it again or update the keyring',
    });
  }
}
