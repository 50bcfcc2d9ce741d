import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppError } from '../../errors.ts';
import { debCacheName } from './apt-index.ts';
import type { LockedPackage } from './package-manager.ts';

export type Downloader = (url: string) => Promise<Buffer | undefined>;

const httpDownload: Downloader = async (url) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
    return res.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
};

export interface GatherOptions {
  /** Herd's package cache (apt's file names): looked in first, and where downloads are kept. */
  packageCache: string;
  /** Archive roots to fetch `filename` from when the cache lacks a file, in order. */
  mirrors: string[];
  /** The repository folder to fill. */
  dir: string;
  log?: (line: string) => void;
  download?: Downloader;
  /** Newest archive date in the lock, for the snapshot.debian.org hint. */
  lockedEpoch?: number;
}

/**
 * Puts exactly the locked .debs into `dir`: each from the package cache when its sha256 matches, else
 * downloaded from the mirrors by pool path and checked against the sha256. The lock's digests came
 * from a signature-checked index, so a file that matches is the file the locked build installed.
 */
export async function gatherLockedDebs(locked: LockedPackage[], o: GatherOptions): Promise<Array<{ pkg: LockedPackage; file: string }>> {
  mkdirSync(o.dir, { recursive: true });
  mkdirSync(o.packageCache, { recursive: true });
  const download = o.download ?? httpDownload;
  const missing: Array<{ pkg: LockedPackage; tried: string[] }> = [];
  let fetched = 0;
  const one = async (pkg: LockedPackage): Promise<{ pkg: LockedPackage; file: string } | undefined> => {
    const cached = join(o.packageCache, debCacheName(pkg));
    const file = join(o.dir, debCacheName(pkg));
    if (!matches(cached, pkg)) {
      const tried: string[] = [];
      let got = false;
      for (const m of o.mirrors) {
        const url = `${m.replace(/\/+$/, '')}/${pkg.filename}`;
        tried.push(url);
        const bytes = await download(url);
        if (!bytes || bytes.length !== pkg.size || sha256(bytes) !== pkg.sha256) continue;
        const tmp = `${cached}.part-${process.pid}`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, cached);
        fetched++;
        got = true;
        break;
      }
      if (!got) return void missing.push({ pkg, tried });
    }
    try {
      linkSync(cached, file);
    } catch {
      copyFileSync(cached, file);
    }
    return { pkg, file };
  };
  const out: Array<{ pkg: LockedPackage; file: string }> = [];
  const queue = [...locked];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const r = await one(p);
      if (r) out.push(r);
    }
  }));
  if (missing.length) throw unavailable(missing, o.lockedEpoch);
  o.log?.(`lock: ${locked.length} packages, ${locked.length - fetched} from the package cache, ${fetched} downloaded`);
  return out.sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
}

function matches(file: string, pkg: LockedPackage): boolean {
  return existsSync(file) && statSync(file).size === pkg.size && sha256(readFileSync(file)) === pkg.sha256;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function unavailable(missing: Array<{ pkg: LockedPackage; tried: string[] }>, epoch?: number): AppError {
  const first = missing[0]!;
  const names = missing.map((m) => `${m.pkg.name} ${m.pkg.version} (${m.pkg.architecture})`);
  const stamp = epoch ? new Date(epoch * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') : 'YYYYMMDDTHHMMSSZ';
  return new AppError('lock.package_unavailable',
    `${missing.length} locked package(s) can no longer be obtained with the locked sha256: ${names.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`
    + ` (${first.pkg.filename} not in the package cache; tried ${first.tried.join(', ') || 'no mirror'})`, {
      kind: 'dependency',
      hint: `the archive has moved on; point the recipe's archive.sources at a snapshot of the locked date, e.g. uri: http://snapshot.debian.org/archive/debian/${stamp}/`,
      details: { packages: missing.map((m) => ({ ...m.pkg, tried: m.tried })) },
    });
}

/** One Packages stanza: the package's own control fields, then where the file is and its digest. */
export function packagesStanza(control: string, file: string, size: number, sha256: string): string {
  const fields = control.replace(/\n+$/, '').split('\n').filter((l) => !/^(Filename|Size|MD5sum|SHA1|SHA256|SHA512):/.test(l));
  return [...fields, `Filename: ./${file}`, `Size: ${size}`, `SHA256: ${sha256}`].join('\n') + '\n';
}

/**
 * Writes a flat repository index (Packages and Release) for `debs` in `dir`. apt reads it through a
 * `[trusted=yes]` source: nothing in it needs a signature, since each file was checked against the lock.
 * Suite and Codename are the release's: mmdebstrap picks the essential set with ?archive/?codename of it.
 */
export function writeLocalRepo(dir: string, debs: Array<{ pkg: LockedPackage; file: string; control: string }>, epoch: number, codename: string): void {
  const packages = debs.map((d) => packagesStanza(d.control, basename(d.file), d.pkg.size, d.pkg.sha256)).join('\n');
  writeFileSync(join(dir, 'Packages'), packages);
  const release = [
    'Origin: herd-lock', 'Label: herd-lock', `Suite: ${codename}`, `Codename: ${codename}`, `Date: ${new Date(epoch * 1000).toUTCString().replace('GMT', 'UTC')}`,
    'SHA256:', ` ${sha256(Buffer.from(packages))} ${Buffer.byteLength(packages)} Packages`,
  ].join('\n') + '\n';
  writeFileSync(join(dir, 'Release'), release);
}
