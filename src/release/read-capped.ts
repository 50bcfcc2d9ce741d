import { open } from 'node:fs/promises';
import { AppError } from '../errors.ts';

export const MAX_FEED_BYTES = 16 * 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 64 * 1024;
/** Slow retrieval: a mirror that trickles bytes forever gets this long for one document. */
export const FETCH_TIMEOUT_MS = 120_000;

/**
 * Reads a document a verifier does not trust yet (URL or file) with a byte cap: memory stays bounded
 * whatever the other side sends. HTTP bodies are counted as they stream and the transfer is aborted at
 * the cap; files are stat'ed first and read through one handle no further than the cap.
 */
export async function readCapped(source: string, cap: number, what: string, timeoutMs = FETCH_TIMEOUT_MS): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) return fetchCapped(source, cap, what, timeoutMs);
  const path = source.startsWith('file://') ? new URL(source).pathname : source;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new AppError('feed.missing', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code}`, { hint: 'pass the feed path or URL; its .asc signature must sit next to it' });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new AppError('feed.missing', `${what} ${path} is not a regular file`, { hint: 'pass the feed file itself' });
    if (info.size > cap) throw tooLarge(what, source, cap, `${info.size} bytes`);
    // The size may grow after the stat (a file still being written): read at most cap + 1 bytes.
    const buf = new Uint8Array(Math.min(info.size, cap) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > cap) throw tooLarge(what, source, cap, 'it grew while being read');
      if (total === buf.length) break;
    }
    return buf.subarray(0, total);
  } finally {
    await handle.close();
  }
}

async function fetchCapped(url: string, cap: number, what: string, timeoutMs: number): Promise<Uint8Array> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (e) {
      throw unreachable(url, e);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new AppError('feed.unreachable', `GET ${url} returned HTTP ${res.status}`, { kind: 'dependency', hint: 'check the URL' });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > cap) {
      await res.body?.cancel();
      throw tooLarge(what, url, cap, `Content-Length ${declared}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body!.getReader();
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        throw unreachable(url, e);
      }
      if (step.done) break;
      total += step.value.byteLength;
      if (total > cap) {
        abort.abort(new Error('too large'));
        await reader.cancel().catch(() => {});
        throw tooLarge(what, url, cap, `more than ${cap} bytes sent`);
      }
      chunks.push(step.value);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.byteLength; }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

function unreachable(url: string, e: unknown): AppError {
  const reason = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
  return new AppError('feed.unreachable', `cannot fetch ${url}: ${reason}`, { kind: 'dependency', hint: 'check the URL and your network, or try another mirror' });
}

function tooLarge(what: string, source: string, cap: number, seen: string): AppError {
  return new AppError('feed.too_large', `${what} ${source} is larger than the ${cap}-byte limit (${seen})`, {
    kind: 'too_large', hint: 'a Herd feed is far smaller; a mirror or attacker is sending something else. Fetch it from the origin',
  });
}
