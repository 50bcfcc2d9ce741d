/**
 * The OCI image-spec documents Herd writes (https://github.com/opencontainers/image-spec, v1.0): media
 * types, the image config, the manifest and the index. Pure functions of their inputs: no clock, no
 * random value, keys in a fixed order, so the same layer and settings always give the same digests.
 */
import { isoTime, tagOf } from '../../catalog/oci-names.ts';

export { isoTime, tagOf };
export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

/** What an image's config says besides its layer: runtime defaults and the labels that name it. */
export interface ImageSettings {
  /** GOARCH name, e.g. amd64. */
  architecture: string;
  os: 'linux';
  /** SOURCE_DATE_EPOCH: the image's `created`, never the build's clock. */
  epoch: number;
  env: string[];
  cmd: string[];
  /** org.opencontainers.image.* labels (also the manifest's annotations). */
  labels: Record<string, string>;
  /** One line for `history[].created_by`: how the layer was made. */
  createdBy: string;
  /** The index's org.opencontainers.image.ref.name: the name `podman load` gives the image. */
  refName: string;
}


/** A label map with its keys sorted: the JSON, hence the digest, never depends on insertion order. */
function sorted(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The image config: one layer, whose uncompressed digest is its diff_id. */
export function imageConfig(s: ImageSettings, diffId: string): object {
  const created = isoTime(s.epoch);
  return {
    created,
    architecture: s.architecture,
    os: s.os,
    config: { Env: s.env, Cmd: s.cmd, Labels: sorted(s.labels) },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: s.createdBy, comment: 'the whole image tree, one layer' }],
  };
}

export function imageManifest(config: Descriptor, layers: Descriptor[], annotations: Record<string, string>): object {
  return { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers, annotations: sorted(annotations) };
}

export function imageIndex(manifest: Descriptor): object {
  return { schemaVersion: 2, mediaType: MEDIA.index, manifests: [manifest] };
}

/** JSON as stored in a blob: compact, no trailing newline (its bytes are what the digest covers). */
export function blobJson(doc: object): Buffer {
  return Buffer.from(JSON.stringify(doc));
}

