import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageSource } from '../backends/clouds/cloud-target.ts';
import { AppError } from '../errors.ts';
import { loadRecipe } from '../recipe/load.ts';
import { type Artifact, listArtifacts } from '../store/artifacts.ts';
import { getProduct } from '../store/products.ts';
import type { Release } from '../store/releases.ts';
import { resolveCatalogueRecipe } from './catalogue.ts';
import type { ReleaseServices } from './services.ts';

export interface OpenedSource {
  image: ImageSource;
  /** The release format it was made from (ec2, openstack, qcow2, raw.xz…). */
  from: string;
  /** The disk is the target cloud's variant (its cloud-init probes that cloud's datasource), not the generic NoCloud one. */
  variant: boolean;
  close(): Promise<void>;
}

/** What each release format holds, as a cloud takes it: its disk container, and whether it is xz-packed raw. */
const CONTAINERS: Record<string, { format: string; packed?: boolean }> = {
  raw: { format: 'raw' }, 'raw.xz': { format: 'raw', packed: true }, qcow2: { format: 'qcow2' }, vmdk: { format: 'vmdk' },
  vhd: { format: 'vhd' }, gce: { format: 'gce.tar.gz' }, ec2: { format: 'raw', packed: true }, openstack: { format: 'qcow2' },
};

/** The release format built for each cloud platform of the feeds (src/catalog/formats.ts builds them with that cloud's datasource). */
const VARIANT_OF: Record<string, string> = { aws: 'ec2', openstack: 'openstack', gcp: 'gce', azure: 'vhd' };

const GIB = 1024 ** 3;

/**
 * The release's image in the first of `formats` it has, as a target uploads it. A target that takes `raw` from a
 * release that ships only `raw.xz` gets the disk unpacked into a private temporary folder first (checked against
 * the release's uncompressed sha256), so its size is known and an interrupted upload can read it again.
 */
export async function cloudImageSource(svc: ReleaseServices, release: Release, target: { platform: string; formats: readonly string[] },
  o: { workDir?: string; log?: (l: string) => void; signal?: AbortSignal } = {}): Promise<OpenedSource> {
  const artifacts = await listArtifacts(svc.store.db, [release.id]);
  const distro = await distroOf(svc, release.productId);
  const base = (a: Artifact, format: string, size: number, sha256: string, open: () => Promise<Readable>, minDiskGiB: number): ImageSource => ({
    releaseId: release.id, product: release.productId, version: release.version, arch: a.arch, format, fileName: a.fileName.replace(/\.xz$/, ''), size, sha256,
    name: `herd-${release.productId}-${release.version}-${a.arch}`, description: `Herd ${release.productId} ${release.version} (${a.arch})`,
    distro, minDiskGiB, open,
  });
  // the cloud's own variant first, then the generic disks in the order the target prefers their containers
  const variant = VARIANT_OF[target.platform];
  const generic = (f: string) => f !== variant && !Object.values(VARIANT_OF).includes(f);
  const order = [...(variant ? [variant] : []), ...target.formats.flatMap((c) => Object.keys(CONTAINERS).filter((f) => generic(f) && CONTAINERS[f]!.format === c))];
  for (const from of order) {
    const a = artifacts.find((x) => x.format === from);
    const container = CONTAINERS[from];
    if (!a || !container || !target.formats.includes(container.format)) continue;
    const isVariant = from === variant;
    if (!isVariant) o.log?.(`${release.productId} ${release.version} has no ${variant ?? target.platform} variant: publishing the generic ${from} disk, whose cloud-init reads only NoCloud (instances get no SSH key from the cloud's metadata)`);
    if (container.packed) {
      return { from, variant: isVariant, ...(await unpacked(svc, a, o, (size, sha256, open) => base(a, 'raw', size, sha256, open, Math.ceil(size / GIB)))) };
    }
    const open = async () => (await svc.artifacts.open(a.location)).body;
    const minDisk = container.format === 'qcow2' ? await qcow2VirtualSize(svc, a) : a.size;
    return { from, variant: isVariant, image: base(a, container.format, a.size, a.sha256, open, Math.ceil(minDisk / GIB)), close: async () => {} };
  }
  throw new AppError('cloud.no_format', `release ${release.productId} ${release.version} has no disk this target takes (${target.formats.join(', ')})`, {
    hint: `it has ${artifacts.map((a) => a.format).join(', ') || 'no artifacts'}; add ${variant ? `${variant} (the ${target.platform} variant)` : 'one of them'} to the recipe's outputs`,
  });
}

async function unpacked(svc: ReleaseServices, packed: Artifact, o: { workDir?: string; log?: (l: string) => void; signal?: AbortSignal },
  make: (size: number, sha256: string, open: () => Promise<Readable>) => ImageSource): Promise<Pick<OpenedSource, 'image' | 'close'>> {
  // a disk of several GiB: under the service's data folder when given (/tmp is often a RAM disk)
  if (o.workDir) mkdirSync(o.workDir, { recursive: true });
  const dir = mkdtempSync(join(o.workDir ?? tmpdir(), 'herd-cloud-'));
  try {
    const file = join(dir, 'disk.raw');
    o.log?.(`unpacking ${packed.fileName} for a target that takes raw disks`);
    // opened first: a source that cannot be read must not leave an xz waiting on its stdin
    const body = (await svc.artifacts.open(packed.location)).body;
    const xz = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'], ...(o.signal ? { signal: o.signal } : {}) });
    xz.on('error', () => {}); // an abort kills it; the pipelines below report the failure
    let stderr = '';
    xz.stderr.on('data', (d) => { stderr += d; });
    const hash = createHash('sha256');
    xz.stdout.on('data', (d: Buffer) => hash.update(d));
    const exited = new Promise<number>((ok) => xz.on('close', (code) => ok(code ?? 1)));
    const flows = await Promise.allSettled([pipeline(body, xz.stdin), pipeline(xz.stdout, createWriteStream(file))]);
    // xz's own verdict first: a file it cannot read makes it exit, and the feeding pipe then fails with EPIPE
    if (await exited !== 0) throw new AppError('cloud.unpack_failed', `xz could not unpack ${packed.fileName}: ${stderr.trim()}`, { kind: 'dependency', hint: 'the stored raw.xz is damaged; check it with herd verify' });
    for (const f of flows) if (f.status === 'rejected') throw f.reason;
    const sha256 = hash.digest('hex');
    if (packed.uncompressedSha256 && packed.uncompressedSha256 !== sha256) {
      throw new AppError('cloud.unpack_mismatch', `${packed.fileName} unpacks to a disk whose sha256 is not the release's ${packed.uncompressedSha256}`, {
        kind: 'dependency', hint: 'the artifact store holds other bytes than were published; check it with herd verify',
      });
    }
    return { image: make(statSync(file).size, sha256, async () => createReadStream(file)), close: async () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A qcow2's virtual disk size: the big-endian 64-bit field at offset 24 of its header. */
async function qcow2VirtualSize(svc: ReleaseServices, a: Artifact): Promise<number> {
  const { body } = await svc.artifacts.open(a.location, { start: 0, end: 31 });
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  const head = Buffer.concat(chunks);
  return head.length >= 32 && head.readUInt32BE(0) === 0x514649fb ? Number(head.readBigUInt64BE(24)) : a.size;
}

/** The distribution the product's catalogue recipe builds (for os_distro, tags); unknown when it cannot be read. */
async function distroOf(svc: ReleaseServices, productId: string): Promise<{ name: string; version: string }> {
  try {
    const recipe = (await getProduct(svc.store.db, productId))?.recipePath ?? productId;
    const { distribution } = loadRecipe(await resolveCatalogueRecipe(svc.recipesDir, recipe)).recipe;
    return { name: distribution.name, version: String(distribution.release) };
  } catch {
    return { name: 'unknown', version: '' };
  }
}
