import type { Readable } from 'node:stream';

/** Something that makes detached, armored OpenPGP signatures. Publishing takes this port, not a key file. */
export interface Signer {
  /** Upper-case hex fingerprint of the signing key, as `gpg --list-keys` prints it. */
  readonly fingerprint: string;
  sign(data: Uint8Array | Readable): Promise<string>;
}
