import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debCacheName } from '../backends/package-managers/apt-index.ts';
import type { LockedPackage } from '../backends/package-managers/package-manager.ts';
import { defaultCacheDir } from '../engine/cache-dir.ts';
import { type BytesFetcher, httpBytes } from '../resolve/suite-index.ts';

/** The .deb files a build installed, by name, version and architecture: a local path for each, checked against the build's lock. */
export interface DebFiles {
  /** A path to the package's .deb, whose size and sha256 are the lock's; throws saying why when there is none. */
  get(p: { name: string; version: string; arch: string }): Promise<string>;
  /** Removes what was downloaded. */
  close(): Promise<void>;
}

/** No .debs at all (a build output without a lock): every changelog says why it is missing. */
export const noDebFiles = (why: string): DebFiles => ({ get: async () => { throw new Error(why); }, close: async () => {} });

/**
 * The .debs of a lock (resolved.json): from Herd's package cache when a file there has the locked size and
 * sha256 (the build that just ran left them there), else downloaded from the archive roots by pool path and
 * checked the same way. The digests came from a signature-checked index, so a matching file is the one installed.
 */
export function lockedDebFiles(o: { locked: LockedPackage[]; mirrors: string[]; cacheRoot?: string; fetchBytes?: BytesFetcher }): DebFiles {
  const byKey = new Map(o.locked.map((p) => [`${p.name} ${p.version} ${p.architecture}`, p]));
  const packagesDir = join(o.cacheRoot ?? defaultCacheDir(), 'packages');
  let tmp: string | undefined;
  const fetchBytes = o.fetchBytes ?? httpBytes;
  return {
    async get(p) {
      const pkg = byKey.get(`${p.name} ${p.version} ${p.arch}`);
      if (!pkg) throw new Error(`the build's lock does not list ${p.name} ${p.version} (${p.arch})`);
      // the cache keeps one folder per package manager, release and architecture (src/stages/rootfs.ts)
      const cached = existsSync(packagesDir) ? readdirSync(packagesDir).map((d) => join(packagesDir, d, debCacheName(pkg))) : [];
      for (const file of cached) if (await matches(file, pkg)) return file;
      const tried: string[] = [];
      for (const m of o.mirrors) {
        const url = `${m.replace(/\/+$/, '')}/${pkg.filename}`;
        try {
          const bytes = await fetchBytes(url);
          if (bytes.length !== pkg.size || createHash('sha256').update(bytes).digest('hex') !== pkg.sha256) { tried.push(`${url} (not the locked file)`); continue; }
          tmp ??= mkdtempSync(join(tmpdir(), 'herd-debs-'));
          const file = join(tmp, debCacheName(pkg));
          writeFileSync(file, bytes);
          return file;
        } catch (e) {
          tried.push(`${url} (${(e as Error).message})`);
        }
      }
      throw new Error(`${debCacheName(pkg)} is not in the package cache${tried.length ? `; tried ${tried.join(', ')}` : ' and the build names no archive'}`);
    },
    async close() {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function matches(file: string, pkg: LockedPackage): Promise<boolean> {
  if (!existsSync(file) || statSync(file).size !== pkg.size) return false;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex') === pkg.sha256;
}
