import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AppError } from '../errors.ts';

/**
 * Content-defined chunking (FastCDC: a gear rolling hash with normalized chunking), the groundwork of delta
 * downloads: a boundary depends only on the bytes just before it, so an insertion moves the boundaries of at
 * most a chunk or two and every later chunk is found again, whole, in the other image.
 */

export interface ChunkSizes {
  min: number;
  avg: number;
  max: number;
}

export interface ContentChunk {
  offset: number;
  length: number;
  sha256: string;
}

/** casync's defaults (16/64/256 KiB), so figures compare with its published ones. */
export const CASYNC_CHUNK_SIZES: ChunkSizes = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };

// 256 fixed pseudo-random 32-bit words: boundaries, and so every stored chunk index, depend on this table
const GEAR = Int32Array.from({ length: 256 }, (_, i) => createHash('sha256').update(`herd content chunks ${i}`).digest().readInt32LE(0));

/** Normalization level 2: a mask 2 bits harder than avg before avg, 2 bits easier after it. */
const NORMALIZATION = 2;

interface Cutter extends ChunkSizes {
  maskHard: number;
  maskEasy: number;
}

function cutter(sizes: ChunkSizes): Cutter {
  const { min, avg, max } = sizes;
  const bits = Math.log2(avg);
  if (![min, avg, max].every(Number.isSafeInteger) || !(min > 0 && min < avg && avg < max) || !Number.isInteger(bits) || bits - NORMALIZATION < 1 || bits + NORMALIZATION > 31) {
    throw new AppError('chunks.sizes', `chunk sizes min ${min}, avg ${avg}, max ${max} are not usable`, {
      hint: 'whole numbers with 0 < min < avg < max and avg a power of two between 8 and 2^29 (casync: 16/64/256 KiB)',
    });
  }
  // the top bits of a left-shifting gear hash depend on the most bytes (bit 31 on the last 32)
  const top = (n: number) => (-1 << (32 - n)) | 0;
  return { min, avg, max, maskHard: top(bits + NORMALIZATION), maskEasy: top(bits - NORMALIZATION) };
}

/** Length of the chunk that starts at data[start]; end is where the data known so far stops (the end of the input at EOF). */
function cutLength(data: Uint8Array, start: number, end: number, c: Cutter): number {
  const available = end - start;
  if (available <= c.min) return available;
  const limit = Math.min(available, c.max);
  const normal = Math.min(limit, c.avg);
  let fp = 0;
  let i = c.min;
  for (; i < normal; i++) {
    fp = ((fp << 1) + GEAR[data[start + i]!]!) | 0;
    if ((fp & c.maskHard) === 0) return i + 1;
  }
  for (; i < limit; i++) {
    fp = ((fp << 1) + GEAR[data[start + i]!]!) | 0;
    if ((fp & c.maskEasy) === 0) return i + 1;
  }
  return limit;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The chunks of a buffer in memory (tests, small inputs). */
export function chunkBuffer(data: Uint8Array, sizes: ChunkSizes = CASYNC_CHUNK_SIZES): ContentChunk[] {
  const c = cutter(sizes);
  const chunks: ContentChunk[] = [];
  for (let offset = 0; offset < data.length;) {
    const length = cutLength(data, offset, data.length, c);
    chunks.push({ offset, length, sha256: sha256(data.subarray(offset, offset + length)) });
    offset += length;
  }
  return chunks;
}

/**
 * The chunks of a file, read in blocks of readSize bytes: memory stays near max + readSize whatever the file's
 * size (a 2 GiB disk image), and the chunks are those chunkBuffer finds in the whole file.
 */
export async function* chunkFile(path: string, sizes: ChunkSizes = CASYNC_CHUNK_SIZES, readSize = 8 * 1024 * 1024): AsyncGenerator<ContentChunk> {
  const c = cutter(sizes);
  const buf = new Uint8Array(c.max + readSize);
  const file = await open(path, 'r');
  try {
    let fileOffset = 0; // file offset of buf[0]
    let start = 0;
    let end = 0;
    let eof = false;
    for (;;) {
      if (end - start < c.max && !eof) {
        buf.copyWithin(0, start, end);
        fileOffset += start;
        end -= start;
        start = 0;
        while (end < buf.length && !eof) {
          const { bytesRead } = await file.read(buf, end, buf.length - end, null);
          end += bytesRead;
          eof = bytesRead === 0;
        }
      }
      if (start === end) return;
      const length = cutLength(buf, start, end, c);
      yield { offset: fileOffset + start, length, sha256: sha256(buf.subarray(start, start + length)) };
      start += length;
    }
  } finally {
    await file.close();
  }
}
