import { constants } from 'node:fs';
import { type FileHandle, open, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ByteRange } from '../backends/artifacts/artifact-store.ts';

/**
 * The files of a build job's output folder the API may read: a fixed list, plus the image files its
 * manifest lists (`openOutput`). Names never come from a request alone or from a report's content (a QA
 * report records absolute serial-log paths; they are ignored).
 */
export const BUILD_FILES = ['manifest.json', 'qa/report.json', 'qa/serial-bios.log', 'qa/serial-uefi.log', 'build.log'] as const;
export type BuildFileName = (typeof BUILD_FILES)[number];

export interface FileText { text: string; bytes: number; truncated: boolean }

/**
 * An image file's name as `openOutput` takes it: a plain name in the job folder (no separator, no leading
 * dot, no `..`). It comes from the manifest's `outputs[].file`, which the caller has matched the request to.
 */
export const OUTPUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A name an output may have: a plain file name of the job's folder (also safe inside a quoted shell line). */
export function isOutputName(name: string): boolean {
  return OUTPUT_NAME.test(name) && !name.includes('..');
}

/** An opened output file: streamed from the descriptor that was checked, never reopened by name. */
export interface OpenedOutput {
  size: number;
  modified: Date;
  /** The bytes (all, or an inclusive range); the stream closes the descriptor when it ends or is destroyed. */
  stream(range?: ByteRange): Readable;
  /** For answers without a body (HEAD, 304, 416). */
  close(): Promise<void>;
}

/**
 * Reads files of `<dataDir>/builds/<job id>` (where the worker inside `herd serve` leaves them). A file is
 * read only when it is a regular file whose real path lies inside that job's folder under the real
 * builds folder: a symlink anywhere on the way out (the file, `qa`, the job folder) reads as absent.
 */
export class BuildFiles {
  private root?: Promise<string | undefined>;

  constructor(private readonly dataDir?: string) {}

  private buildsRoot(): Promise<string | undefined> {
    if (!this.dataDir) return Promise.resolve(undefined);
    return (this.root ??= realpath(resolve(this.dataDir, 'builds')).catch(() => { this.root = undefined; return undefined; }));
  }

  /**
   * The regular file `name` of the job's folder, opened without following a symlink, and only when the
   * descriptor's real path lies inside that folder under the real builds folder; undefined otherwise.
   */
  private async openContained(jobId: string, name: string): Promise<{ fh: FileHandle; size: number; modified: Date } | undefined> {
    const root = await this.buildsRoot();
    if (!root || !/^[0-9a-f-]{36}$/.test(jobId)) return undefined;
    const folder = join(root, jobId) + sep;
    const fh = await open(join(folder, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
    if (!fh) return undefined;
    try {
      const st = await fh.stat();
      // the descriptor's own path: what was opened, not what the name points to by now
      const real = st.isFile() ? await readlink(`/proc/self/fd/${fh.fd}`).catch(() => realpath(join(folder, name))) : '';
      if (real.startsWith(folder)) return { fh, size: st.size, modified: st.mtime };
    } catch { /* unreadable: absent */ }
    await fh.close();
    return undefined;
  }

  /**
   * Up to `maxBytes` of the file: its start, or with `tail` its end (a log's last lines matter most).
   * Undefined when the file is absent or not contained; `jobId` must be a job record's id (a UUID).
   */
  async read(jobId: string, name: BuildFileName, o: { maxBytes: number; tail?: boolean }): Promise<FileText | undefined> {
    const opened = await this.openContained(jobId, name);
    if (!opened) return undefined;
    const { fh, size } = opened;
    try {
      const length = Math.min(size, o.maxBytes);
      const start = o.tail ? size - length : 0;
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      let text = buf.subarray(0, bytesRead).toString('utf8');
      // a tail cut mid-line starts at the next whole line
      if (o.tail && start > 0) text = text.slice(text.indexOf('\n') + 1);
      return { text, bytes: size, truncated: size > length };
    } finally {
      await fh.close();
    }
  }

  /**
   * An image file of the job's folder, for download, under the same rules as `read`. The name must be a
   * plain file name (OUTPUT_NAME); the caller takes it from the job's manifest, never from a request alone.
   */
  async openOutput(jobId: string, name: string): Promise<OpenedOutput | undefined> {
    if (!isOutputName(name)) return undefined;
    const opened = await this.openContained(jobId, name);
    if (!opened) return undefined;
    const { fh, size, modified } = opened;
    let used = false;
    return {
      size, modified,
      stream(range) {
        used = true;
        if (size === 0) { void fh.close(); return Readable.from([]); }
        return fh.createReadStream({ start: range?.start ?? 0, end: range?.end ?? size - 1, autoClose: true });
      },
      async close() { if (!used) { used = true; await fh.close(); } },
    };
  }
}
