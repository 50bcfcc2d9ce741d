import { type DependencyList, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/**
 * Loads once per change of `deps`, aborting the previous request: a slow answer for an image the reader has
 * already left never overwrites the one they are looking at. With `initial` (an answer fetched before the
 * page rendered), the first render shows it and the first load is skipped.
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList, initial?: T): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>(initial === undefined ? { loading: true } : { data: initial, loading: false });
  const skipFirst = useRef(initial !== undefined);
  useEffect(() => {
    if (skipFirst.current) {
      skipFirst.current = false;
      return;
    }
    const ac = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    load(ac.signal).then(
      (data) => { if (!ac.signal.aborted) setState({ data, loading: false }); },
      (error: unknown) => { if (!ac.signal.aborted) setState({ error: error instanceof Error ? error : new Error(String(error)), loading: false }); },
    );
    return () => ac.abort();
  }, deps);
  return state;
}

/**
 * For optional data (a route a server may not have yet, a release without a size report): a 404 is
 * "nothing to show", every other failure is still an error.
 */
export async function unlessNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}
