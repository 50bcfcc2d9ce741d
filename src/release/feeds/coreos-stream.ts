import type { Release } from '../../store/releases.ts';
import { formatInfo } from '../platforms.ts';
import { artifactUrl, type ChannelSnapshot } from './feed-input.ts';

/**
 * Fedora CoreOS stream metadata, field for field as coreos/stream-metadata-go `stream/stream.go` reads it:
 * Stream{stream, metadata{last-modified, generator}, architectures{arch: {artifacts{platform: {release,
 * formats{format: {disk{location, signature, sha256, uncompressed-sha256}}}}}, images{aws{regions{r:{release, image}}}}}}.
 */
export interface CoreosArtifact { location: string; signature: string; sha256: string; 'uncompressed-sha256'?: string }
export interface CoreosPlatform { release: string; formats: Record<string, { disk: CoreosArtifact }> }
export interface CoreosArch {
  artifacts: Record<string, CoreosPlatform>;
  images?: Record<string, { regions?: Record<string, { release: string; image: string }> } | { release: string; project: string; name: string }>;
}
export interface CoreosStream {
  stream: string; metadata: { 'last-modified': string; generator: string }; architectures: Record<string, CoreosArch>;
  /** Herd's addition (stream.go ignores it): the release was published without QA. */
  untested?: true;
}

export function coreosArchitectures(s: ChannelSnapshot, release: Release): Record<string, CoreosArch> {
  const architectures: Record<string, CoreosArch> = {};
  for (const a of s.artifacts.get(release.id) ?? []) {
    const arch = (architectures[a.arch] ??= { artifacts: {} });
    const info = formatInfo(a.format);
    const disk: CoreosArtifact = { location: artifactUrl(s, a.location), signature: artifactUrl(s, a.signature), sha256: a.sha256 };
    if (a.uncompressedSha256) disk['uncompressed-sha256'] = a.uncompressedSha256;
    for (const platform of info.platforms) {
      const p = (arch.artifacts[platform] ??= { release: release.version, formats: {} });
      p.formats[info.streamFormat] = { disk };
    }
  }
  for (const img of s.images.get(release.id) ?? []) {
    const arch = (architectures[img.arch] ??= { artifacts: {} });
    const images = (arch.images ??= {});
    if (img.platform === 'gcp') {
      // stream.go's GcpImage has no regions: the "region" of a GCE image is its project.
      images.gcp = { release: release.version, project: img.region, name: img.imageId };
    } else {
      const p = (images[img.platform] ??= { regions: {} }) as { regions: Record<string, { release: string; image: string }> };
      p.regions[img.region] = { release: release.version, image: img.imageId };
    }
  }
  return architectures;
}

export function coreosStream(s: ChannelSnapshot, release: Release): CoreosStream {
  return {
    stream: s.channel,
    metadata: { 'last-modified': s.issued.toISOString().replace(/\.\d{3}Z$/, 'Z'), generator: `herd feed generation ${s.generation}` },
    architectures: coreosArchitectures(s, release),
    ...(release.untested ? { untested: true as const } : {}),
  };
}
