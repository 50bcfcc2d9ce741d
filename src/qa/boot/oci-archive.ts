import { createHash } from 'node:crypto';
import { tarArchive, type TarEntry } from './tar-writer.ts';

/** An image archive that both `docker load` and `podman load` accept, and what identifies the image in it. */
export interface OciArchive {
  archive: Buffer;
  /** sha256 of the archive file, to tell whether a guest already holds this exact file. */
  sha256: string;
  /** The image id engines report (the config digest, "sha256:..."). */
  imageId: string;
  name: string;
}

export interface ImageSpec {
  /** Full reference, e.g. localhost/herd-qa/busybox:1 (a localhost name: no engine tries a public registry). */
  name: string;
  layer: TarEntry[];
  cmd: string[];
  /** RFC 3339 time written in the config; fixed, so the same layer gives the same image id. */
  created: string;
}

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/**
 * One image with one uncompressed layer, as an OCI image layout in a tar (oci-layout, index.json,
 * blobs/sha256/...) plus the `manifest.json` of a docker archive pointing at the same blobs: the shape
 * `docker save` writes since Docker 25. Docker reads manifest.json (and its RepoTags), Podman and
 * skopeo read the OCI layout; neither needs a registry.
 */
export function ociArchive(spec: ImageSpec): OciArchive {
  const layer = tarArchive(spec.layer);
  const layerDigest = sha256(layer);
  const config = json({
    created: spec.created,
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: spec.cmd },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created: spec.created, created_by: 'herd qa: test image' }],
  });
  const configDigest = sha256(config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MT.manifest,
    config: { mediaType: MT.config, digest: `sha256:${configDigest}`, size: config.length },
    layers: [{ mediaType: MT.layer, digest: `sha256:${layerDigest}`, size: layer.length }],
  });
  const manifestDigest = sha256(manifest);
  const index = json({
    schemaVersion: 2,
    mediaType: MT.index,
    manifests: [{
      mediaType: MT.manifest, digest: `sha256:${manifestDigest}`, size: manifest.length,
      annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': spec.name },
    }],
  });
  const dockerManifest = json([{ Config: `blobs/sha256/${configDigest}`, RepoTags: [spec.name], Layers: [`blobs/sha256/${layerDigest}`] }]);
  const file = (path: string, data: Buffer): TarEntry => ({ type: 'file', path, mode: 0o644, data });
  const archive = tarArchive([
    { type: 'dir', path: 'blobs', mode: 0o755 },
    { type: 'dir', path: 'blobs/sha256', mode: 0o755 },
    file(`blobs/sha256/${configDigest}`, config),
    file(`blobs/sha256/${layerDigest}`, layer),
    file(`blobs/sha256/${manifestDigest}`, manifest),
    file('index.json', index),
    file('manifest.json', dockerManifest),
    file('oci-layout', json({ imageLayoutVersion: '1.0.0' })),
  ]);
  return { archive, sha256: sha256(archive), imageId: `sha256:${configDigest}`, name: spec.name };
}
