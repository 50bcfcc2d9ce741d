import { createContext } from 'react';
import { apiGet } from '../api/client.ts';

/** What the home page shows: the use cases and the catalogue. The server preloads both with `/` (src/api/portal-pages.ts HOME_PAGE_PRELOADS). */
export function loadHomeData(signal?: AbortSignal) {
  return Promise.all([apiGet('/api/catalog/use-cases', { signal }), apiGet('/api/catalog', { signal })]);
}
export type HomeData = Awaited<ReturnType<typeof loadHomeData>>;

/**
 * The id of the `<script type="application/json">` element in which the server sends the data it rendered
 * the home page from (src/api/home-render.ts), so the client hydrates from the very same answers instead of
 * asking again. A data block, not a script: the page's CSP runs no inline code, and none is needed.
 */
export const SERVER_HOME_DATA_ID = 'herd-home-data';

/** The answers the home page was rendered from, on the server (entry-server.tsx) and when hydrating. */
export const InitialHomeData = createContext<HomeData | undefined>(undefined);

/** The data the server rendered `/` from, when this page came server-rendered; removed once read. */
export function takeServerHomeData(doc: Document): HomeData | undefined {
  const el = doc.getElementById(SERVER_HOME_DATA_ID);
  if (!el) return undefined;
  el.remove();
  try {
    return JSON.parse(el.textContent ?? '') as HomeData;
  } catch {
    return undefined;
  }
}

/** The early request, and its answer once it is in. */
export interface EarlyHomeData { request: Promise<HomeData>; data?: HomeData }
let early: EarlyHomeData | undefined;

/**
 * Asks for the home page's data before React starts (its answers were preloaded with the page, so this
 * takes them from the preload), so the first render can show the catalogue rather than a spinner and then
 * the catalogue: used when the page did not come server-rendered (the server could not render it).
 * Settles when the answer is in, never rejects (the page shows the error).
 */
export function fetchHomeDataEarly(): Promise<void> {
  const mine: EarlyHomeData = { request: loadHomeData() };
  early = mine;
  return mine.request.then((data) => { mine.data = data; }, () => undefined);
}

/**
 * The early request, once: the page uses its answer, or waits for it rather than asking twice (the preload
 * serves one request only). A later visit to the home page asks again.
 */
export function takeEarlyHomeData(): EarlyHomeData | undefined {
  const mine = early;
  early = undefined;
  return mine;
}
