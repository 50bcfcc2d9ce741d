import { createReadStream } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'hono';
import type { RenderedPage } from './home-render.ts';
import { acceptedCodings, isVariantPath, PRECOMPRESSED, type Precompressed } from './portal-encoding.ts';

/** Where `npm run build:web` writes the portal (web/dist beside src/). */
export const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
  '.json': 'application/json', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

/**
 * The page's own rules for the browser: scripts and styles only from this origin (user-submitted text can
 * never become code), no framing, no plugins, calls only back to this service.
 */
export const PORTAL_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Prefixes the API and downloads own: never answered with the portal's index page. */
const SERVICE_PREFIXES = ['/api/', '/artifacts/', '/feeds/', '/releases/', '/streams/', '/coreos/', '/keys/'];

/**
 * The first path segments of the portal's client-side routes (web/src/App.tsx; a test keeps the two the
 * same). Only these get the index page with 200: any other extension-less path gets it with 404, so the
 * portal still shows its not-found page but a crawler, a client or a test probing `/etc/passwd` is told
 * the truth.
 */
export const CLIENT_ROUTE_ROOTS = ['use-cases', 'images', 'user-data', 'docs', 'library', 'builds', 'sign-in'];

/**
 * What the home page (web/src/pages/home-data.ts) fetches before it can show anything. The index page of `/`
 * announces them in a `Link: rel=preload` header, so the browser asks while the scripts still load; only
 * there, since any other page would leave them unused (and chromium warns). `crossorigin` gives the preload
 * the client's fetch mode (cors, same-origin credentials), or chromium fetches twice. A test keeps it equal
 * to the page.
 */
export const HOME_PAGE_PRELOADS = ['/api/catalog/use-cases', '/api/catalog'];
const HOME_PAGE_LINK = HOME_PAGE_PRELOADS.map((p) => `<${p}>; rel=preload; as=fetch; crossorigin`).join(', ');

/**
 * The portal's static files, and its index page for every client-side route (a path without a file
 * extension). Files are looked up under the built folder only: `..`, encoded separators, dot-files and
 * symlinks that leave the folder are not found. A file the build precompressed is sent as its `.br` or `.gz`
 * variant when the browser accepts that coding; the variants are never served under their own names.
 */
export function portalPages(o: { dir?: string; renderHome?: (portalDir: string, indexHtml: string) => Promise<RenderedPage | undefined> } = {}) {
  const dir = o.dir ?? DEFAULT_PORTAL_DIR;
  // only a found folder is remembered: a portal built while the server runs is served without a restart
  let root: string | undefined;
  const rootDir = async () => (root ??= await realpath(dir).catch(() => undefined));
  return async (c: Context, next: Next) => {
    const path = c.req.path;
    if (SERVICE_PREFIXES.some((p) => path.startsWith(p) || `${path}/` === p)) return next();
    const base = await rootDir();
    const index = base && await inside(base, join(base, 'index.html'));
    if (!base || !index) {
      if (path !== '/') return next();
      return c.text('Herd is running; the portal has not been built (npm run build:web). The API is at /api/openapi.json.\n', 200, PORTAL_SECURITY_HEADERS);
    }
    const segments = path.split('/').filter(Boolean);
    if (segments.some((s) => s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return next();
    // a client route's segments may hold dots (release notes of 2026.11.25.0): those paths never name a file
    const wantsFile = extname(path) !== '' && !CLIENT_ROUTE_ROOTS.includes(segments[0]!);
    const file = wantsFile && !isVariantPath(path) ? await inside(base, join(base, ...segments)) : undefined;
    if (wantsFile && !file) return next();
    const target = file ?? index;
    if (!file && segments.length === 0 && o.renderHome) {
      const rendered = await o.renderHome(base, await readFile(index, 'utf8'));
      if (rendered !== undefined) return renderedPage(c, rendered);
    }
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    // Hashed assets never change; the index page must be re-read so a new build shows up at once. Judged
    // by the path inside the folder: a folder that itself sits under some `assets` must not cache its index page.
    const cache = relative(base, target).startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    const status = file || segments.length === 0 || CLIENT_ROUTE_ROOTS.includes(segments[0]!) ? 200 : 404;
    const variant = await precompressed(base, target, c.req.header('accept-encoding'));
    const body = Readable.toWeb(createReadStream(variant?.path ?? target)) as ReadableStream;
    // the answer depends on Accept-Encoding for every file, so a shared cache must key on it either way
    const headers: Record<string, string> = { ...PORTAL_SECURITY_HEADERS, 'content-type': type, 'cache-control': cache, vary: 'accept-encoding' };
    if (variant) headers['content-encoding'] = variant.coding;
    if (!file && segments.length === 0) headers.link = HOME_PAGE_LINK;
    return c.body(body, status, headers);
  };
}

/**
 * The server-rendered home page (src/api/home-render.ts), compressed as the browser accepts (the page changes
 * with the catalogue, so the build cannot precompress it; each body is compressed once per render). No
 * preload header: its data came with it.
 */
function renderedPage(c: Context, page: RenderedPage): Response {
  const headers: Record<string, string> = { ...PORTAL_SECURITY_HEADERS, 'content-type': TYPES['.html']!, 'cache-control': 'no-cache', vary: 'accept-encoding' };
  const accepted = acceptedCodings(c.req.header('accept-encoding'));
  const coding = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : undefined;
  if (coding) headers['content-encoding'] = coding;
  return c.body(page.body(coding) as never, 200, headers);
}

/**
 * The best variant of `target` the browser accepts; it must sit inside the folder like any file. Variants
 * are the build's (each build empties the folder first), so they are trusted to match their original; file
 * times are no guide, as copying a built portal (cp -r, the bench) does not keep them.
 */
async function precompressed(base: string, target: string, acceptEncoding: string | undefined): Promise<(Precompressed & { path: string }) | undefined> {
  const accepted = acceptedCodings(acceptEncoding);
  if (accepted.size === 0) return undefined;
  for (const v of PRECOMPRESSED) {
    if (!accepted.has(v.coding)) continue;
    const path = await inside(base, target + v.suffix);
    if (path) return { ...v, path };
  }
  return undefined;
}

/** The file's real path when it is a regular file inside `base`, else undefined. */
async function inside(base: string, candidate: string): Promise<string | undefined> {
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(base + sep)) return undefined;
    return (await lstat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
