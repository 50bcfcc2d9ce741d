import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { runCommand } from '../backends/host/run-command.ts';
import { deb822Stanzas } from '../backends/package-managers/apt-index.ts';
import { AppError } from '../errors.ts';
import { gpgvVerifier, type InReleaseVerifier } from './inrelease-signature.ts';

/** One binary package as a suite's Packages index lists it. */
export interface IndexPackage {
  name: string; version: string; architecture: string; source: string;
  /** Where the .deb is under the archive URI, and what it must be (the index is signed through InRelease). */
  filename?: string; size?: number; sha256?: string;
}

/** What one suite of one archive offers for one architecture: every version of every package in its components. */
export interface SuitePackages { uri: string; suite: string; date: string; packages: IndexPackage[] }

export type BytesFetcher = (url: string) => Promise<Buffer>;

/** The largest index accepted, compressed or not (Debian main's amd64 Packages is about 50 MiB uncompressed). */
const MAX_INDEX_BYTES = 512 * 1024 * 1024;

export const httpBytes: BytesFetcher = async (url) => {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    throw new AppError('archive.unreachable', `cannot reach ${url}: ${(e as Error).message}`, { kind: 'dependency', hint: 'check the archive URI in the recipe and the network' });
  }
  if (!res.ok) throw new AppError('archive.index_missing', `${url} answered ${res.status}`, { kind: 'dependency', hint: 'check the suite and component in the recipe' });
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_INDEX_BYTES) throw new AppError('archive.index_too_large', `${url} is ${length} bytes`, { kind: 'dependency', hint: 'is this a Debian archive?' });
  return Buffer.from(await res.arrayBuffer());
};

/** Index files apt would read, best first: a suite lists some of these in its InRelease. */
const VARIANTS = ['.xz', '.gz', ''] as const;

/**
 * Reads what a suite offers now, trusting only what its signed InRelease vouches for: the signature is
 * checked against the archive keyring, each index is the one the InRelease names by size and SHA-256, and
 * only then parsed. This is the "archive's current indices" side of pending updates (#11).
 */
export async function readSuitePackages(o: { uri: string; suite: string; components: string[]; architecture: string; keyring: string },
  fetchBytes: BytesFetcher = httpBytes, verify: InReleaseVerifier = gpgvVerifier): Promise<SuitePackages> {
  const base = `${o.uri.replace(/\/+$/, '')}/dists/${o.suite}`;
  const inReleaseUrl = `${base}/InRelease`;
  const signed = await verify((await fetchBytes(inReleaseUrl)).toString('utf8'), o.keyring, inReleaseUrl);
  const date = /^Date:\s*(.+)$/m.exec(signed)?.[1]?.trim() ?? '';
  const listed = sha256Entries(signed);
  const packages: IndexPackage[] = [];
  for (const component of o.components) {
    const path = VARIANTS.map((v) => `${component}/binary-${o.architecture}/Packages${v}`).find((p) => listed.has(p));
    if (!path) {
      throw new AppError('archive.index_missing', `${inReleaseUrl} lists no Packages index for ${component}/binary-${o.architecture}`, {
        kind: 'dependency', hint: `check the components and architecture: the suite may not carry ${component} for ${o.architecture}`,
      });
    }
    const want = listed.get(path)!;
    const url = `${base}/${path}`;
    const raw = await fetchBytes(url);
    const sha = createHash('sha256').update(raw).digest('hex');
    if (raw.length !== want.size || sha !== want.sha256) {
      throw new AppError('archive.index_mismatch', `${url} is not the index ${inReleaseUrl} signs (${raw.length} bytes, sha256 ${sha.slice(0, 12)}…; expected ${want.size}, ${want.sha256.slice(0, 12)}…)`, {
        kind: 'dependency', hint: 'the mirror may be mid-sync: try again in a few minutes',
      });
    }
    packages.push(...parseIndexPackages(await decompress(raw, path)));
  }
  return { uri: o.uri, suite: o.suite, date, packages };
}

/** The SHA256 section of a Release file: path → size and digest. */
export function sha256Entries(release: string): Map<string, { size: number; sha256: string }> {
  const out = new Map<string, { size: number; sha256: string }>();
  const section = /^SHA256:[ \t]*\n((?:[ \t]+\S.*\n?)*)/m.exec(release)?.[1] ?? '';
  for (const line of section.split('\n')) {
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) out.set(m[3]!, { size: Number(m[2]), sha256: m[1]! });
  }
  return out;
}

/** Package, Version, Architecture and Source (without its version, defaulting to the package) of every stanza. */
export function parseIndexPackages(text: string): IndexPackage[] {
  const out: IndexPackage[] = [];
  for (const field of deb822Stanzas(text)) {
    const name = field('Package');
    const version = field('Version');
    const architecture = field('Architecture');
    if (!name || !version || !architecture) continue;
    const filename = field('Filename');
    const size = Number(field('Size'));
    const sha256 = field('SHA256');
    out.push({
      name, version, architecture, source: field('Source')?.split(/\s+/)[0] ?? name,
      ...(filename && sha256 && Number.isSafeInteger(size) ? { filename, size, sha256 } : {}),
    });
  }
  return out;
}

async function decompress(raw: Buffer, path: string): Promise<string> {
  if (path.endsWith('.gz')) return gunzipSync(raw, { maxOutputLength: MAX_INDEX_BYTES }).toString('utf8');
  if (!path.endsWith('.xz')) return raw.toString('utf8');
  // Node has no xz; xz-utils is on every Debian host
  return (await runCommand(['xz', '--decompress', '--stdout'], { input: raw })).stdout;
}
