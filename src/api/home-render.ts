import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

/**
 * Where `npm run build:web` puts the server-side renderer, inside the built portal (web/vite.config.ts), as
 * entry-server-HASH.js. A dot folder: portalPages never serves it. The name changes with the content, so a
 * portal rebuilt while the server runs is picked up: the module loader caches by path, and tsx's ignores a
 * query string, so a new name is the only way to load new code under the same process.
 */
export const SERVER_DIR = '.server';
const ENTRY_NAME = /^entry-server-[\w-]+\.js$/;

/** What the portal's server entry (web/src/entry-server.tsx) exports. */
interface ServerEntry {
  renderHome(data: unknown): string;
  SERVER_HOME_DATA_ID: string;
}

/** The empty mount point in the built index page that the rendered home page goes into. */
const ROOT = '<div id="root"></div>';

/**
 * Renders the portal's home page on the server, from the same answers the API gives the client
 * (`fetchData`, called per page view, is the app asking itself for portal-pages.ts HOME_PAGE_PRELOADS), so the catalogue
 * is painted from the page's first bytes (bench/first-render.ts: the client-rendered page missed its 1 s
 * budget waiting for scripts, then the API). The data goes along as a JSON data block for hydration.
 * Each distinct answer is rendered once; any failure gives `undefined` and the caller serves the plain
 * index page, which renders in the browser as before: a server-side rendering fault never takes the page down.
 * The renderer is code from the portal folder, which is the operator's (like the server's own code).
 */
export function homeRenderer(o: { fetchData: () => Promise<unknown>; onError?: (e: unknown) => void; ttlMs?: number }) {
  let loaded: { file: string; entry: ServerEntry } | undefined;
  // the page last rendered, for the same renderer, index page and data (the same answer object: one per ttl)
  let last: { file: string; indexHtml: string; value: unknown; page: RenderedPage } | undefined;
  // the data, for ttlMs (like feed documents, src/api/document-cache.ts): a busy home page asks the catalogue
  // once a second, not once per visitor; `forget` drops it when a release changes through this process
  let data: { at: number; value: Promise<unknown> } | undefined;
  const ttlMs = o.ttlMs ?? 1000;
  const fetchData = () => {
    if (data && Date.now() - data.at < ttlMs) return data.value;
    const mine = { at: Date.now(), value: o.fetchData() };
    data = mine;
    // a failed answer is not kept
    mine.value.catch(() => { if (data === mine) data = undefined; });
    return mine.value;
  };
  // a fault repeats on every view of `/`, which anyone can ask for: reported once a minute, not once a request
  let reportedAt = -Infinity;
  let suppressed = 0;
  const report = (e: unknown) => {
    if (Date.now() - reportedAt < 60_000) { suppressed++; return; }
    reportedAt = Date.now();
    o.onError?.(suppressed ? new Error(`${(e as Error)?.message ?? String(e)} (and ${suppressed} more since the last report)`, { cause: e }) : e);
    suppressed = 0;
  };
  /** The newest renderer in the folder, loaded once per file (its name changes with each build). */
  const entryOf = async (portalDir: string): Promise<{ file: string; entry: ServerEntry } | undefined> => {
    const dir = join(portalDir, SERVER_DIR);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => ENTRY_NAME.test(n));
    // one after a build; should a build be half-way, the newest
    let newest: { file: string; mtime: number } | undefined;
    for (const n of names) {
      const st = await stat(join(dir, n)).catch(() => undefined);
      if (st?.isFile() && (!newest || st.mtimeMs > newest.mtime)) newest = { file: join(dir, n), mtime: st.mtimeMs };
    }
    if (!newest) return undefined;
    if (loaded?.file !== newest.file) {
      const mine = { file: newest.file, entry: await import(pathToFileURL(newest.file).href) as ServerEntry };
      loaded = mine;
      return mine;
    }
    return loaded;
  };
  const render = async (portalDir: string, indexHtml: string): Promise<RenderedPage | undefined> => {
    try {
      if (!indexHtml.includes(ROOT)) return undefined;
      // what this request loaded, never what another request has loaded since (a rebuild in between)
      const found = await entryOf(portalDir);
      if (!found || typeof found.entry.renderHome !== 'function') return undefined;
      const value = await fetchData();
      if (last && last.file === found.file && last.indexHtml === indexHtml && last.value === value) return last.page;
      const json = jsonForHtml(value);
      const body = found.entry.renderHome(value);
      const page = renderedPage(indexHtml.replace(ROOT, () => `<div id="root">${body}</div><script type="application/json" id="${found.entry.SERVER_HOME_DATA_ID}">${json}</script>`));
      last = { file: found.file, indexHtml, value, page };
      return page;
    } catch (e) {
      report(e);
      return undefined;
    }
  };
  return Object.assign(render, { forget: () => { data = undefined; } });
}

/** A rendered page and its compressed bodies, each made once (brotli at a low quality: about a millisecond). */
export interface RenderedPage {
  html: string;
  body(coding: 'br' | 'gzip' | undefined): string | Uint8Array;
}

function renderedPage(html: string): RenderedPage {
  const encoded = new Map<string, Uint8Array>();
  return {
    html,
    body(coding) {
      if (!coding) return html;
      let b = encoded.get(coding);
      if (!b) {
        b = coding === 'br' ? brotliCompressSync(html, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }) : gzipSync(html, { level: 6 });
        encoded.set(coding, b);
      }
      return b;
    },
  };
}

/**
 * JSON that cannot end the data block it sits in or open markup: every `<` (and so `</script>` and `<!--`)
 * is escaped as \u003c, which JSON.parse reads back as the same character. U+2028/U+2029 are escaped too,
 * for any reader that treats the block as script.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
