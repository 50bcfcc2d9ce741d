/**
 * Respin download size (#11): what a user who has the previous release must download to get the respin.
 * The full download is the new raw.xz (the engine's xz settings, or the build's own file with --new-xz).
 * Beside it: content-defined chunks of the new raw disk not present in the old one (casync's 16/64/256 KiB
 * sizes; each new chunk compressed on its own, as a casync store holds them, plus the chunk index a client
 * fetches first), and the peers measured in the same run: xdelta3 and zstd --patch-from. Every patch is
 * applied again and checked against the new disk. When both disks sit in build output folders (manifest.json
 * beside them), the package changes between the two are printed too. Usage:
 *   node --import tsx bench/respin-delta.ts --old OLD.raw --new NEW.raw [--new-xz NEW.raw.xz] [--json]
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCommand, which } from '../src/backends/host/run-command.ts';
import { Manifest } from '../src/manifest/manifest-schema.ts';
import { diffPackages, type PackageDiff } from '../src/release/package-diff.ts';
import { CASYNC_CHUNK_SIZES, chunkFile, type ContentChunk } from '../src/release/content-chunks.ts';

/** casync's .caibx index: a 48-byte header, then per chunk its end offset (8 bytes) and sha256 (32 bytes). */
const INDEX_HEADER_BYTES = 48;
const INDEX_ENTRY_BYTES = 40;

const { values: args } = parseArgs({ options: { old: { type: 'string' }, new: { type: 'string' }, 'new-xz': { type: 'string' }, json: { type: 'boolean' } } });
if (!args.old || !args.new) {
  console.error('usage: node --import tsx bench/respin-delta.ts --old OLD.raw --new NEW.raw [--new-xz NEW.raw.xz] [--json]');
  process.exit(2);
}
const oldRaw = resolve(args.old);
const newRaw = resolve(args.new);
const install: Record<string, string> = { xz: 'xz-utils', zstd: 'zstd', xdelta3: 'xdelta3' };
const missing = Object.keys(install).filter((t) => !which(t));
if (missing.length) {
  console.error(`missing: ${missing.join(', ')}; install with: apt-get install -y ${missing.map((t) => install[t]).join(' ')}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'herd-respin-delta-'));
const log = (line: string) => console.error(line);

async function timed<T>(what: string, f: () => Promise<T>): Promise<[T, number]> {
  log(`${what}…`);
  const t0 = performance.now();
  const r = await f();
  const s = (performance.now() - t0) / 1000;
  log(`  ${s.toFixed(1)} s`);
  return [r, s];
}

const size = (path: string) => statSync(path).size;

function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => res(h.digest('hex'))).on('error', rej);
  });
}

/** The full download: the build's raw.xz, or NEW compressed as src/stages/convert.ts does (keep the two in step). */
async function fullDownload(): Promise<{ bytes: number; source: string }> {
  if (args['new-xz']) return { bytes: size(resolve(args['new-xz'])), source: args['new-xz'] };
  const out = join(work, 'new.raw.xz');
  await runCommand(['xz', '--threads=0', '--block-size=64MiB', '-6', '--stdout', newRaw], { stdoutFile: out });
  return { bytes: size(out), source: 'xz --threads=0 --block-size=64MiB -6 (as src/stages/convert.ts)' };
}

/** The packages of the build that wrote this disk (its folder's manifest.json), or undefined outside a build folder. */
function packagesBeside(raw: string) {
  const path = join(dirname(raw), 'manifest.json');
  if (!existsSync(path)) return undefined;
  return Manifest.parse(JSON.parse(readFileSync(path, 'utf8'))).packages.map((p) => ({ name: p.name, version: p.version, arch: (p.arch ?? p.architecture)! }));
}

/** Bytes of NEW's files that belong to these packages (its folder's size-report.json): the content that really changed. */
function packageBytesBeside(raw: string, names: Set<string>): number | undefined {
  const path = join(dirname(raw), 'size-report.json');
  if (!existsSync(path)) return undefined;
  const report = JSON.parse(readFileSync(path, 'utf8')) as { byPackage: Array<{ name: string; bytes: number }> };
  return report.byPackage.filter((p) => names.has(p.name)).reduce((n, p) => n + p.bytes, 0);
}

function packageChanges(): { old: number; new: number; diff: PackageDiff; changedBytes?: number } | undefined {
  const [before, after] = [packagesBeside(oldRaw), packagesBeside(newRaw)];
  if (!before || !after) return undefined;
  const diff = diffPackages(before, after);
  const changed = new Set([...diff.changed.map((c) => c.name), ...diff.added.map((a) => a.name)]);
  return { old: before.length, new: after.length, diff, changedBytes: packageBytesBeside(newRaw, changed) };
}

async function allChunks(path: string): Promise<ContentChunk[]> {
  const chunks: ContentChunk[] = [];
  for await (const c of chunkFile(path)) chunks.push(c);
  return chunks;
}

/** NEW's chunks that OLD lacks, each once (a chunk store holds a chunk once, however often the disk repeats it). */
function newChunks(oldChunks: ContentChunk[], newAll: ContentChunk[]): ContentChunk[] {
  const known = new Set(oldChunks.map((c) => c.sha256));
  const seen = new Set<string>();
  return newAll.filter((c) => !known.has(c.sha256) && !seen.has(c.sha256) && seen.add(c.sha256));
}

/** Each chunk written to its own file and compressed on its own by one compressor run; the summed sizes. */
async function compressEach(chunks: ContentChunk[]): Promise<{ zstd: number; xz: number }> {
  const dir = join(work, 'chunks');
  mkdirSync(dir);
  const file = await open(newRaw, 'r');
  try {
    for (const c of chunks) {
      const buf = Buffer.alloc(c.length);
      await file.read(buf, 0, c.length, c.offset);
      await writeFile(join(dir, c.sha256), buf);
    }
  } finally {
    await file.close();
  }
  const names = readdirSync(dir);
  const total = (suffix: string) => readdirSync(dir).filter((n) => n.endsWith(suffix)).reduce((n, f) => n + size(join(dir, f)), 0);
  // in batches, so a disk with tens of thousands of new chunks stays under the argument length limit
  for (let i = 0; i < names.length; i += 1000) {
    const batch = names.slice(i, i + 1000);
    await runCommand(['zstd', '-19', '-q', '-k', ...batch], { cwd: dir });
    await runCommand(['xz', '-6', '-k', ...batch], { cwd: dir });
  }
  return { zstd: total('.zst'), xz: total('.xz') };
}

async function checkRestores(what: string, argv: string[], expected: string): Promise<void> {
  const out = join(work, 'restored.raw');
  await runCommand(argv.map((a) => (a === '@OUT' ? out : a)));
  const got = await sha256File(out);
  rmSync(out, { force: true });
  if (got !== expected) throw new Error(`${what}: the patch applied to OLD does not give NEW (${got} ≠ ${expected})`);
}

async function main() {
  const oldBytes = size(oldRaw);
  const newSha = await sha256File(newRaw);
  const [full] = await timed('full download (raw.xz)', fullDownload);
  const [oldChunks, oldChunkS] = await timed('chunking OLD', () => allChunks(oldRaw));
  const [newAll] = await timed('chunking NEW', () => allChunks(newRaw));
  const fresh = newChunks(oldChunks, newAll);
  const freshBytes = fresh.reduce((n, c) => n + c.length, 0);
  const index = INDEX_HEADER_BYTES + INDEX_ENTRY_BYTES * newAll.length;
  const [each] = await timed(`compressing ${fresh.length} new chunks one by one (zstd -19, xz -6)`, () => compressEach(fresh));

  const xdelta = join(work, 'new.xdelta');
  // -B: a source window as big as OLD, so a block that moved anywhere in the 2 GiB disk is still found
  const xdeltaArgs = ['xdelta3', '-e', '-9', '-S', 'lzma', '-B', String(oldBytes), '-s', oldRaw, newRaw, xdelta];
  const [, xdeltaS] = await timed('xdelta3 -e -9 -S lzma', () => runCommand(xdeltaArgs));
  await timed('  check: xdelta3 -d', () => checkRestores('xdelta3', ['xdelta3', '-d', '-B', String(oldBytes), '-s', oldRaw, xdelta, '@OUT'], newSha));

  const zpatch = join(work, 'new.zst-patch');
  // --long=31: a 2 GiB window, so the whole old disk is the dictionary
  const zstdArgs = ['zstd', '-19', '--long=31', '-T0', '-q', `--patch-from=${oldRaw}`, newRaw, '-o', zpatch];
  const [, zstdS] = await timed('zstd -19 --long=31 --patch-from', () => runCommand(zstdArgs));
  await timed('  check: zstd -d --patch-from', () => checkRestores('zstd', ['zstd', '-d', '--long=31', '-q', `--patch-from=${oldRaw}`, zpatch, '-o', '@OUT'], newSha));

  const rows = [
    { measure: `full download: new raw.xz (${full.source})`, bytes: full.bytes },
    { measure: `CDC chunks of NEW not in OLD, uncompressed (${fresh.length} of ${newAll.length} chunks, ${new Set(newAll.map((c) => c.sha256)).size} distinct)`, bytes: freshBytes },
    { measure: 'those chunks compressed one by one, zstd -19', bytes: each.zstd },
    { measure: 'those chunks compressed one by one, xz -6', bytes: each.xz },
    { measure: `casync-style download: chunk index (${INDEX_ENTRY_BYTES} B a chunk) + new chunks (zstd -19)`, bytes: index + each.zstd },
    { measure: 'xdelta3 -e -9 -S lzma -B <old size> -s OLD NEW', bytes: size(xdelta) },
    // zstd's window stops at 2 GiB (--long=31 is its maximum): from a disk that size on, the copy of a block in OLD
    // sits a whole disk before it, just out of reach, and zstd warns "Max window log exceeded by file"
    { measure: `zstd -19 --long=31 --patch-from=OLD NEW${oldBytes >= 2 ** 31 ? ' (OLD fills the 2 GiB window: out of reach)' : ''}`, bytes: size(zpatch) },
  ].map((r) => ({ ...r, ratio: r.bytes / full.bytes }));
  const result = {
    date: new Date().toISOString().slice(0, 10), old: oldRaw, new: newRaw, oldBytes, newBytes: size(newRaw),
    packages: packageChanges(), chunkSizes: CASYNC_CHUNK_SIZES, chunks: { old: oldChunks.length, new: newAll.length, fresh: fresh.length },
    seconds: { chunkOld: oldChunkS, xdelta: xdeltaS, zstdPatch: zstdS }, rows,
  };
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`respin delta: ${oldRaw} → ${newRaw}`);
  const p = result.packages;
  if (p) {
    console.log(`packages: ${p.old} → ${p.new}; ${p.diff.changed.length} upgraded, ${p.diff.added.length} added, ${p.diff.removed.length} removed`);
    if (p.changedBytes !== undefined) console.log(`files of the upgraded and added packages in NEW: ${p.changedBytes} bytes (${(p.changedBytes / 2 ** 20).toFixed(2)} MiB; files generated at build time, such as the initramfs, come on top)`);
    for (const c of p.diff.changed) console.log(`  ${c.name} ${c.from} → ${c.to}`);
    for (const a of p.diff.added) console.log(`  + ${a.name} ${a.version}`);
    for (const r of p.diff.removed) console.log(`  - ${r.name} ${r.version}`);
  }
  console.log('| measure | bytes | MiB | ratio to full raw.xz |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.measure} | ${r.bytes} | ${(r.bytes / 2 ** 20).toFixed(2)} | ${(100 * r.ratio).toFixed(1)} % |`);
  console.log(`(chunking OLD: ${oldChunkS.toFixed(1)} s; xdelta3 ${xdeltaS.toFixed(1)} s; zstd --patch-from ${zstdS.toFixed(1)} s)`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
