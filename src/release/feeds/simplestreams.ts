import { debianArch, formatInfo } from '../platforms.ts';
import type { ChannelSnapshot } from './feed-input.ts';

/**
 * Ubuntu simplestreams (format products:1.0 / index:1.0), as LXD, MAAS, Juju and OpenStack's
 * simplestreams sync read them: paths are relative to the mirror root, which is our public URL.
 */
export const contentId = (channel: string) => `org.herd.cloud:${channel}:download`;
export const productsPath = (channel: string) => `streams/v1/${contentId(channel)}.json`;

/** simplestreams dates are RFC 2822, e.g. "Wed, 25 Nov 2026 16:00:00 +0000". */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export function simplestreamsProducts(s: ChannelSnapshot) {
  const products: Record<string, any> = {};
  for (const r of s.releases) {
    if (r.revokedAt) continue;
    for (const a of s.artifacts.get(r.id) ?? []) {
      const id = `org.herd.cloud:${r.productId}:${a.arch}`;
      const product = (products[id] ??= {
        arch: debianArch(a.arch), os: 'herd', release: r.productId, release_title: r.productId, version: s.channel,
        aliases: `herd/${r.productId}/${s.channel}`, versions: {},
      });
      const version = (product.versions[r.version] ??= {
        label: s.channel, pubname: `herd-${r.productId}-${r.version}-${a.arch}`, items: {}, ...(r.untested ? { untested: true } : {}),
      });
      const ftype = formatInfo(a.format).simplestreamsType;
      version.items[ftype] = { ftype, path: `artifacts/${a.location}`, sha256: a.sha256, size: a.size };
    }
  }
  return { content_id: contentId(s.channel), datatype: 'image-downloads', format: 'products:1.0', updated: rfc2822(s.issued), products };
}

export function simplestreamsIndex(snapshots: ChannelSnapshot[], issued: Date) {
  const index: Record<string, unknown> = {};
  for (const s of snapshots) {
    index[contentId(s.channel)] = {
      datatype: 'image-downloads', format: 'products:1.0', path: productsPath(s.channel), updated: rfc2822(s.issued),
      products: Object.keys(simplestreamsProducts(s).products).sort(),
    };
  }
  return { format: 'index:1.0', updated: rfc2822(issued), index };
}
