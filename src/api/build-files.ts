import { constants } from 'node:fs';
import { open, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/**
 * The files of a build job's output folder the API may read: a fixed list. Names never come from a
 * request or from a file's content (a QA report records absolute serial-log paths; they are ignored).
 */
export const BUILD_FILES = ['manifest.json', 'qa/report.json', 'qa/serial-bios.log', 'qa/serial-uefi.log', 'build.log'] as const;
export type BuildFileName = (typeof BUILD_FILES)[number];

export interface FileText { text: string; bytes: number; truncated: boolean }

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
   * Up to `maxBytes` of the file: its start, or with `tail` its end (a log's last lines matter most).
   * Undefined when the file is absent or not contained; `jobId` must be a job record's id (a UUID).
   */
  async read(jobId: string, name: BuildFileName, o: { maxBytes: number; tail?: boolean }): Promise<FileText | undefined> {
    const root = await this.buildsRoot();
    if (!root || !/^[0-9a-f-]{36}$/.test(jobId)) return undefined;
    const folder = join(root, jobId) + sep;
    const fh = await open(join(folder, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
    if (!fh) return undefined;
    try {
      const st = await fh.stat();
      if (!st.isFile()) return undefined;
      // the descriptor's own path: what was opened, not what the name points to by now
      const real = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => realpath(join(folder, name)));
      if (!real.startsWith(folder)) return undefined;
      const length = Math.min(st.size, o.maxBytes);
      const start = o.tail ? st.size - length : 0;
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      let text = buf.subarray(0, bytesRead).toString('utf8');
      // a tail cut mid-line starts at the next whole line
      if (o.tail && start > 0) text = text.slice(text.indexOf('\n') + 1);
      return { text, bytes: st.size, truncated: st.size > length };
    } finally {
      await fh.close();
    }
  }
}
