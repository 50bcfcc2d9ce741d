import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Context } from 'hono';
import { checkKey } from '../../backends/artifacts/artifact-store.ts';
import { AppError } from '../../errors.ts';
import { keysDirOf } from '../../release/open-services.ts';
import { contentTypeFor } from '../../release/platforms.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { parseRange } from '../byte-range.ts';
import { noneMatch, rangeStillValid } from '../conditional.ts';
import type { DocumentCache } from '../document-cache.ts';
import { route, type RouteDef } from '../route-table.ts';
import { readKeyring } from '../../keys/keyring.ts';
import { findArtifactByKey } from '../../store/artifacts.ts';

const SMALL_BODY = 1024 * 1024;

const notFound = (what: string) => new AppError('download.not_found', `nothing at ${what}`, { kind: 'not_found', hint: 'feeds list the download locations' });

/** Image downloads with Range, ETag and content types, and the published feed documents. */
export function downloadRoutes(svc: ReleaseServices, docs: DocumentCache, o: { dataDir?: string; keysDir?: string }): RouteDef[] {
  const document = async (c: Context) => {
    const d = await docs.get(c.req.path.slice(1));
    if (!d) throw notFound(c.req.path);
    const headers = { 'content-type': d.contentType, etag: d.etag, 'cache-control': 'public, max-age=60' };
    if (noneMatch(c.req.header('if-none-match'), d.etag)) return c.body(null, 304, headers);
    return c.body(d.body, 200, headers);
  };
  const docRoute = (prefix: string, summary: string) =>
    route({ method: 'get', path: `/${prefix}/*`, tag: 'feeds', summary, handler: document });
  return [
    docRoute('feeds', 'Signed channel feeds (feeds/<channel>.json and .json.asc)'),
    docRoute('releases', 'Releases index per channel (releases/<channel>.json and .json.asc)'),
    docRoute('streams', 'Simplestreams index and product files (streams/v1/index.json)'),
    docRoute('coreos', 'Fedora CoreOS stream per product and channel (coreos/<product>/streams/<channel>.json)'),
    route({ method: 'get', path: '/keys/keyring.asc', tag: 'feeds', produces: 'application/pgp-keys', summary: 'Public release keys, current and retired',
      handler: async (c) => {
        if (!o.dataDir && !o.keysDir) throw notFound(c.req.path);
        return c.body(await readKeyring(keysDirOf({ dataDir: o.dataDir ?? '', keysDir: o.keysDir })), 200, { 'content-type': 'application/pgp-keys' });
      } }),
    route({ method: 'get', path: '/artifacts/*', tag: 'downloads', produces: 'application/octet-stream', summary: 'Download an artifact (Range and If-None-Match supported)',
      handler: async (c) => {
        let key: string;
        try {
          key = checkKey(decodeURIComponent(c.req.path.slice('/artifacts/'.length)));
        } catch {
          throw notFound(c.req.path);
        }
        // Only what a published release holds is served: a pending (or failed) attempt's objects, a
        // store's bookkeeping and anything no release names are not found. Revoked releases stay
        // downloadable: the feeds list them as revoked, and clients that hold one may still verify it.
        const served = await findArtifactByKey(svc.store.db, key);
        if (!served || served.releaseState !== 'published') throw notFound(c.req.path);
        const info = await svc.artifacts.stat(key);
        if (!info) throw notFound(c.req.path);
        // The ETag is the content's sha256 as the release recorded it (the signature's: tied to it), not
        // file metadata, so a same-size change can never keep an old ETag.
        const etag = served.kind === 'image' ? `"sha256-${served.artifact.sha256}"` : `"sha256-${served.artifact.sha256}.asc"`;
        const headers: Record<string, string> = {
          'content-type': contentTypeFor(key), etag, 'accept-ranges': 'bytes', 'last-modified': info.modified.toUTCString(),
        };
        if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
        const range = rangeStillValid(c.req.header('if-range'), etag, info.modified) ? parseRange(c.req.header('range'), info.size) : undefined;
        if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${info.size}` });
        const opened = await svc.artifacts.open(key, range);
        headers['content-length'] = String(opened.range.end - opened.range.start + 1 - (info.size === 0 ? 1 : 0));
        if (range) headers['content-range'] = `bytes ${opened.range.start}-${opened.range.end}/${info.size}`;
        if (c.req.method === 'HEAD') { opened.body.destroy(); return c.body(null, range ? 206 : 200, headers); }
        // Small ranges (delta chunks, probes) are cheaper as one buffer than as a web stream bridge.
        const length = opened.range.end - opened.range.start + 1;
        const body = length <= SMALL_BODY ? new Uint8Array(await buffer(opened.body)) : (Readable.toWeb(opened.body) as ReadableStream);
        return c.body(body, range ? 206 : 200, headers);
      } }),
  ];
}
