import type { Job, Queue } from './queue.ts';

/**
 * A running (else queued) job of `kind` whose payload `matches`: what a caller checks before queueing work that
 * must not run twice (a product's respin, a release's publication to one target). A read: it narrows a race, the
 * caller's own guard closes it.
 */
export async function liveJob(queue: Queue, kind: string, matches: (payload: Record<string, unknown>) => boolean): Promise<Job | undefined> {
  for (const state of ['running', 'queued'] as const) {
    const found = (await queue.list({ kind, state, limit: 1000 })).find((j) => matches((j.payload ?? {}) as Record<string, unknown>));
    if (found) return found;
  }
  return undefined;
}
