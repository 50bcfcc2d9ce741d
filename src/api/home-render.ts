import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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
  let loaded: { key: string; entry: ServerEntry } | undefined;
  let last: { key: string; html: string } | undefined;
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
  const entryOf = async (portalDir: string): Promise<ServerEntry | undefined> => {
    const dir = join(portalDir, SERVER_DIR);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => ENTRY_NAME.test(n));
    // one after a build; should a build be half-way, the newest
    let newest: { file: string; mtime: number } | undefined;
    for (const n of names) {
      const st = await stat(join(dir, n)).catch(() => undefined);
      if (st?.isFile() && (!newest || st.mtimeMs > newest.mtime)) newest = { file: join(dir, n), mtime: st.mtimeMs };
    }
    if (!newest) return undefined;
    if (loaded?.key !== newest.file) loaded = { key: newest.file, entry: await import(pathToFileURL(newest.file).href) as ServerEntry };
    return loaded.entry;
  };
  const render = async (portalDir: string, indexHtml: string): Promise<string | undefined> => {
    try {
      if (!indexHtml.includes(ROOT)) return undefined;
      const entry = await entryOf(portalDir);
      if (!entry || typeof entry.renderHome !== 'function') return undefined;
      const value = await fetchData();
      const json = jsonForHtml(value);
      const key = `${loaded!.key}\n${indexHtml}\n${json}`;
      if (last?.key === key) return last.html;
      const body = entry.renderHome(value);
      const html = indexHtml.replace(ROOT, () => `<div id="root">${body}</div><script type="application/json" id="${entry.SERVER_HOME_DATA_ID}">${json}</script>`);
      last = { key, html };
      return html;
    } catch (e) {
      o.onError?.(e);
      return undefined;
    }
  };
  return Object.assign(render, { forget: () => { data = undefined; } });
}

/**
 * JSON that cannot end the data block it sits in or open markup: every `<` (and so `</script>` and `<!--`)
 * is escaped as \u003c, which JSON.parse reads back as the same character. U+2028/U+2029 are escaped too,
 * for any reader that treats the block as script.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
