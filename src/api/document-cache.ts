import type { Database } from '../store/database.ts';
import { getDocument, type StoredDocument } from '../store/documents.ts';

/**
 * Feed documents are read on every client poll and change rarely: keep each for `ttlMs`. Writes made
 * through this process clear it at once; writes by other processes show within `ttlMs`.
 */
export class DocumentCache {
  private entries = new Map<string, { doc: StoredDocument | undefined; at: number }>();

  constructor(private readonly store: Database, private readonly ttlMs = 1000) {}

  async get(path: string): Promise<StoredDocument | undefined> {
    const hit = this.entries.get(path);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.doc;
    const doc = await getDocument(this.store.db, path);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(path, { doc, at: Date.now() });
    return doc;
  }

  clear(): void { this.entries.clear(); }
}
