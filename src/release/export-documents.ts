import { join } from 'node:path';
import { writeFileAtomic } from '../keys/atomic-write.ts';
import type { Database } from '../store/database.ts';
import { listDocuments } from '../store/documents.ts';

/** Writes every published document under `dir` (for a static web server or mirror), each atomically. */
export async function exportDocuments(store: Database, dir: string): Promise<string[]> {
  const docs = await listDocuments(store.db);
  // Signatures land before the documents they sign: a client reading in between sees a mismatch,
  // which it refuses and retries, never a wrong pair that verifies.
  const ordered = [...docs.filter((d) => d.path.endsWith('.asc')), ...docs.filter((d) => !d.path.endsWith('.asc'))];
  for (const d of ordered) await writeFileAtomic(join(dir, d.path), d.body);
  return ordered.map((d) => d.path);
}
