import { apiGet } from '../api/client.ts';

/** What the home page shows: the use cases and the catalogue. The server preloads both with `/` (src/api/portal-pages.ts HOME_PAGE_PRELOADS). */
export function loadHomeData(signal?: AbortSignal) {
  return Promise.all([apiGet('/api/catalog/use-cases', { signal }), apiGet('/api/catalog', { signal })]);
}
export type HomeData = Awaited<ReturnType<typeof loadHomeData>>;

/** The request made before the first render, and its answer once it is in. */
export interface EarlyHomeData { request: Promise<HomeData>; data?: HomeData }
let early: EarlyHomeData | undefined;

/**
 * Asks for the home page's data before React starts (its answers were preloaded with the page, so this
 * takes them from the preload), so the first render can show the catalogue rather than a spinner and then
 * the catalogue: one render and one layout instead of two on the page the bench times. Settles when the
 * answer is in, never rejects (the page shows the error).
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
