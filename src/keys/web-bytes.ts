import type { Readable } from 'node:stream';

/** openpgp.js streams accept only plain Uint8Array chunks (not Buffers) in a web ReadableStream. */
export function toWebBytes(data: Uint8Array | Readable): Uint8Array | ReadableStream<Uint8Array> {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const iterator = data[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    async cancel() { await iterator.return?.(); },
  });
}
