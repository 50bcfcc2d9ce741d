import type { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { AppError } from '../errors.ts';
import { toWebBytes } from './web-bytes.ts';

/**
 * Checks a detached armored signature over `data` against the given armored public keys.
 * Returns the fingerprint of the key that made it; throws `signature.invalid` otherwise.
 */
export async function verifyDetached(data: Uint8Array | Readable, armoredSignature: string, armoredKeys: string, what: string): Promise<string> {
  let keys: openpgp.Key[];
  let signature: openpgp.Signature;
  try {
    keys = await openpgp.readKeys({ armoredKeys });
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    throw new AppError('signature.unreadable', `cannot read the signature or keyring for ${what}: ${(e as Error).message}`, {
      hint: 'the signature must be an armored detached OpenPGP signature; the keyring an armored public key block',
    });
  }
  try {
    const keyID = await verifiedSignerKeyId(data, signature, keys);
    const signer = keys.find((k) => k.getKeyIDs().some((id) => id.equals(keyID)));
    return (signer?.getFingerprint() ?? keyID.toHex()).toUpperCase();
  } catch (e) {
    throw new AppError('signature.invalid', `bad signature on ${what}: ${(e as Error).message}`, {
      hint: 'the file was altered or signed by a key that is not in the keyring; fetch it again or update the keyring',
    });
  }
}

/**
 * Verifies a detached signature over streamed or whole data against `keys`; returns the key id of the
 * (first) signature. Throws a plain Error when it does not verify: callers wrap it in their own AppError.
 */
export async function verifiedSignerKeyId(data: Parameters<typeof toWebBytes>[0], signature: openpgp.Signature, keys: openpgp.PublicKey[]): Promise<openpgp.KeyID> {
  const message = await openpgp.createMessage({ binary: toWebBytes(data) });
  const result = await openpgp.verify({ message, signature, verificationKeys: keys, expectSigned: true });
  if (typeof (result.data as { getReader?: unknown }).getReader === 'function') {
    // The signature is checked only once the streamed data has been read to the end.
    const reader = (result.data as ReadableStream<Uint8Array>).getReader();
    while (!(await reader.read()).done) { /* drain */ }
  }
  const first = result.signatures[0];
  if (!first) throw new Error('no signature packet');
  await first.verified;
  return first.keyID;
}
