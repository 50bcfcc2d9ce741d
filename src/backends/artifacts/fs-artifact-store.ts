import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../errors.ts';
import {
  type ArtifactStore, type ByteRange, checkKey, clampRange, notFound, type ObjectInfo, type OpenedObject, type StoredObject,
} from './artifact-store.ts';

/** Artifacts as files under one directory; temp files live in `.tmp/` on the same filesystem so rename is atomic. */
export class FsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) { this.root = resolve(root); }

  private path(key: string): string { return join(this.root, checkKey(key)); }

  async put(key: string, source: Readable | Uint8Array): Promise<StoredObject> {
    const dest = this.path(key);
    const tmp = join(this.root, '.tmp', `${randomUUID()}.part`);
    await mkdir(dirname(tmp), { recursive: true });
    await mkdir(dirname(dest), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) { hash.update(chunk); size += chunk.length; done(null, chunk); },
    });
    try {
      const input = source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
      await pipeline(input, counter, createWriteStream(tmp, { flush: true }));
      await rename(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof AppError) throw e;
      throw new AppError('artifact.write_failed', `cannot store artifact ${key}: ${(e as Error).message}`, {
        kind: 'dependency', cause: e, hint: `check free space and permissions under ${this.root}`,
      });
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.path(key), { bigint: true });
      if (!s.isFile()) return undefined;
      // Cheap, and changes on any write: the inode changes when put replaces a file, and ctime (which
      // no one can set back, unlike mtime) on a write in place of the same size. Release downloads use
      // the content's sha256 from the database instead.
      const etag = `"${[s.ino, s.size, s.mtimeNs, s.ctimeNs].map((n) => n.toString(16)).join('-')}"`;
      return { size: Number(s.size), etag, modified: new Date(Number(s.mtimeMs)) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async open(key: string, range?: ByteRange): Promise<OpenedObject> {
    const info = await this.stat(key);
    if (!info) throw notFound(key);
    const r = clampRange(info.size, range);
    const body = info.size === 0 ? Readable.from([]) : createReadStream(this.path(key), { start: r.start, end: r.end });
    return { ...info, body, range: r };
  }

  url(key: string): string { return pathToFileURL(this.path(key)).href; }

  async delete(key: string): Promise<void> { await rm(this.path(key), { force: true }); }

  async sweepPartial(olderThanMs: number, dryRun = false): Promise<string[]> {
    const dir = join(this.root, '.tmp');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile() || s.mtimeMs >= cutoff) continue;
      if (!dryRun) await rm(path, { force: true });
      removed.push(`.tmp/${name}`);
    }
    return removed;
  }
}
