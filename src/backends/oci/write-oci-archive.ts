import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../host/run-command.ts';
import { sha256File } from '../fs/checksum.ts';
import { createHash } from 'node:crypto';
import { blobJson, imageConfig, imageIndex, imageManifest, MEDIA, type Descriptor, type ImageSettings } from './image-spec.ts';
import { gzipArgv, layerTarArgv, layoutTarArgv, sortedNames } from './layer-tar.ts';

type Run = (argv: string[], opts?: RunOptions) => Promise<{ stdout: string }>;

export interface OciArchiveResult {
  /** sha256 of the whole archive file (what SHA256SUMS lists). */
  archiveSha256: string;
  /** The image's identity: the digest of its manifest (what `skopeo inspect` prints as Digest). */
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  /** sha256 of the uncompressed layer (config rootfs.diff_ids). */
  diffId: string;
  layerSize: number;
}

/**
 * tree → an OCI image layout (oci-layout, index.json, blobs/sha256/…) with one gzip'd layer → a tar of
 * that layout at `out` (an "oci-archive", as skopeo and podman call it). `work` is scratch space, removed after.
 */
export async function writeOciArchive(run: Run, tree: string, settings: ImageSettings, out: string, work: string): Promise<OciArchiveResult> {
  const layout = join(work, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  try {
    const layerTar = join(work, 'layer.tar');
    await run(layerTarArgv(tree, sortedNames(readdirSync(tree)), layerTar, settings.epoch), { env: { TZ: 'UTC' } });
    const diffId = `sha256:${await sha256File(layerTar)}`;
    const layerGz = join(work, 'layer.tar.gz');
    await run(gzipArgv(layerTar), { stdoutFile: layerGz, env: { GZIP: undefined } });
    rmSync(layerTar);
    const layerHex = await sha256File(layerGz);
    const layerSize = statSync(layerGz).size;
    renameSync(layerGz, join(blobs, layerHex));
    const layer: Descriptor = { mediaType: MEDIA.layerGzip, digest: `sha256:${layerHex}`, size: layerSize };

    const config = putJson(blobs, MEDIA.config, imageConfig(settings, diffId));
    const manifest = putJson(blobs, MEDIA.manifest, imageManifest(config, [layer], settings.labels));
    const entry: Descriptor = { ...manifest, platform: { architecture: settings.architecture, os: settings.os },
      annotations: { 'org.opencontainers.image.ref.name': settings.refName } };
    writeFileSync(join(layout, 'index.json'), blobJson(imageIndex(entry)));
    writeFileSync(join(layout, 'oci-layout'), blobJson({ imageLayoutVersion: '1.0.0' }));

    const tmp = `${out}.tmp`;
    await run(layoutTarArgv(layout, tmp, settings.epoch), { env: { TZ: 'UTC' } });
    renameSync(tmp, out);
    return { archiveSha256: await sha256File(out), manifestDigest: manifest.digest, configDigest: config.digest, layerDigest: layer.digest, diffId, layerSize };
  } finally {
    rmSync(layout, { recursive: true, force: true });
    rmSync(join(work, 'layer.tar'), { force: true });
    rmSync(join(work, 'layer.tar.gz'), { force: true });
  }
}

function putJson(blobs: string, mediaType: string, doc: object): Descriptor {
  const bytes = blobJson(doc);
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}
