import { readFile } from 'node:fs/promises';
import { AppError } from '../../errors.ts';
import { missingTool } from '../../backends/host/run-command.ts';
import type { Finding } from '../types.ts';
import { finding, type BootContext } from './check.ts';
import { ociArchive, type OciArchive } from './oci-archive.ts';

/**
 * The container image the container-host and paas-node suites run. The guest has no network, so the
 * image is made here from the host's static busybox (package busybox-static) and copied in: a file, not
 * a registry, which is also how an operator seeds an isolated host.
 */
export const TEST_IMAGE_NAME = 'localhost/herd-qa/busybox:1';
export const HOST_BUSYBOX = '/bin/busybox';
export const GUEST_IMAGE_PATH = '/var/tmp/herd-qa/busybox-oci.tar';
/** What the image's httpd serves at / (the paas-node suite looks for it). */
export const HTTP_MARKER = 'herd-qa busybox httpd';

export function busyboxImage(busybox: Buffer): OciArchive {
  if (!isStaticElf(busybox)) {
    throw new AppError('qa.busybox_not_static', `${HOST_BUSYBOX} is not a static executable: it cannot run alone in a container`, {
      kind: 'dependency', hint: 'apt-get install busybox-static (it replaces the dynamically linked busybox package)',
    });
  }
  return ociArchive({
    name: TEST_IMAGE_NAME,
    created: '2025-01-01T00:00:00Z',
    cmd: ['/bin/busybox', 'echo', 'herd-qa'],
    layer: [
      { type: 'dir', path: 'bin', mode: 0o755 },
      { type: 'file', path: 'bin/busybox', mode: 0o755, data: busybox },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
      // mount points and the folders engines write into; present so no engine has to create them
      ...['dev', 'etc', 'proc', 'sys', 'www'].map((path) => ({ type: 'dir' as const, path, mode: 0o755 })),
      { type: 'dir', path: 'tmp', mode: 0o1777 },
      { type: 'file', path: 'www/index.html', mode: 0o644, data: Buffer.from(`${HTTP_MARKER}\n`) },
    ],
  });
}

/** An ELF executable with no program interpreter (PT_INTERP): it needs no libraries from the container. */
export function isStaticElf(b: Buffer): boolean {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > b.length) return false;
    if (b.readUInt32LE(at) === 3) return false;
  }
  return true;
}

let cached: Promise<OciArchive> | undefined;

/** The test image, built once per process from the host's busybox. */
export function hostTestImage(): Promise<OciArchive> {
  cached ??= readFile(HOST_BUSYBOX).then(busyboxImage, (e: NodeJS.ErrnoException) => {
    throw e.code === 'ENOENT' ? missingTool(HOST_BUSYBOX) : e;
  });
  cached.catch(() => { cached = undefined; });
  return cached;
}

/**
 * Makes sure the guest holds the test image archive at GUEST_IMAGE_PATH (copied once per instance; the
 * checksum tells whether an earlier check already did). Returns findings when the copy fails.
 */
export async function putTestImage(ctx: BootContext): Promise<{ image: OciArchive; findings: Finding[] }> {
  const image = await hostTestImage();
  const sum = (await ctx.sh(`sha256sum ${GUEST_IMAGE_PATH} 2>/dev/null`)).stdout.split(' ')[0];
  if (sum === image.sha256) return { image, findings: [] };
  await ctx.sh(`mkdir -p ${GUEST_IMAGE_PATH.replace(/\/[^/]+$/, '')}`);
  const r = await ctx.put(GUEST_IMAGE_PATH, image.archive);
  const after = (await ctx.sh(`sha256sum ${GUEST_IMAGE_PATH} 2>/dev/null`)).stdout.split(' ')[0];
  if (r.code !== 0 || after !== image.sha256) {
    return { image, findings: [finding(`copying the test image into the guest failed (exit ${r.code}): ${r.stderr.trim() || `checksum ${after || 'none'}`}`, GUEST_IMAGE_PATH)] };
  }
  return { image, findings: [] };
}
