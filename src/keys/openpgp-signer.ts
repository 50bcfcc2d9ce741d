import type { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { AppError } from '../errors.ts';
import { toWebBytes } from './web-bytes.ts';
import type { Signer } from './signer.ts';

/** Signs with an openpgp.js private key. Streams are signed without loading the whole image in memory. */
export class OpenPgpSigner implements Signer {
  private constructor(private readonly key: openpgp.PrivateKey, readonly fingerprint: string) {}

  static async fromArmored(armoredKey: string): Promise<OpenPgpSigner> {
    const key = await openpgp.readPrivateKey({ armoredKey });
    return new OpenPgpSigner(key, key.getFingerprint().toUpperCase());
  }

  async sign(data: Uint8Array | Readable): Promise<string> {
    try {
      const binary = toWebBytes(data);
      const message = await openpgp.createMessage({ binary });
      const signature = await openpgp.sign({ message, signingKeys: this.key, detached: true, format: 'armored' });
      return typeof signature === 'string' ? signature : await readAll(signature as ReadableStream<string>);
    } catch (e) {
      throw new AppError('signing.failed', `cannot sign with key ${this.fingerprint}: ${(e as Error).message}`, {
        kind: 'internal', cause: e, hint: 'check the key with `herd keys list`',
      });
    }
  }
}

/** A streamed message yields a streamed armored signature: text chunks, complete once the input is read. */
async function readAll(stream: ReadableStream<string>): Promise<string> {
  let text = '';
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}
