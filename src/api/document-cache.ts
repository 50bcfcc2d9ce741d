import type { Database } from '../store/database.ts';
import { getDocument, type StoredDocument } from '../store/documents.ts';

/**
 * Feed documents are read on every client poll and change rarely: keep each for `ttlMs`. Writes made
 * through this process clear it at once; writes by other processes show within `ttlMs`. Only documents
 * that exist are kept (a miss costs a lookup, never memory), and at most `maxEntries` of them, oldest
 * dropped first, so no sequence of requests grows it without bound.
 */
export class DocumentCache {
  private entries = new Map<string, { doc: StoredDocument; at: number }>();
  private readonly clearHooks: Array<() => void> = [];

  constructor(private readonly store: Database, private readonly ttlMs = 1000, private readonly maxEntries = 1000) {}

  get size(): number { return this.entries.size; }

  async get(path: string): Promise<StoredDocument | undefined> {
    const hit = this.entries.get(path);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.doc;
    const doc = await getDocument(this.store.db, path);
    this.entries.delete(path);
    if (!doc || this.ttlMs <= 0) return doc;
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(path, { doc, at: Date.now() });
    return doc;
  }

  clear(): void {
    this.entries.clear();
    for (const hook of this.clearHooks) hook();
  }

  /** Runs `hook` on every clear: other caches of what releases publish (the rendered home page) are cleared with this one. */
  onClear(hook: () => void): void { this.clearHooks.push(hook); }
}
