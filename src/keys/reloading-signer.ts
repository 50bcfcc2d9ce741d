import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadActiveSigner } from './keyring.ts';
import type { Signer } from './signer.ts';

/**
 * The active signer of a key folder, reloaded whenever keys.json changes: `herd keys rotate` (or
 * revoke) in another process takes effect on the next signature a running server makes. One stat per
 * call; keys.json is always replaced by rename, so its inode changes with every write.
 */
export function reloadingSigner(dir: string): () => Promise<Signer> {
  let cached: { stamp: string; signer: Promise<Signer> } | undefined;
  return async () => {
    const stamp = await stampOf(join(dir, 'keys.json'));
    if (!cached || cached.stamp !== stamp) {
      const signer = loadActiveSigner(dir);
      const entry = { stamp, signer };
      cached = entry;
      // A failed load (no key yet, missing file) is retried on the next call, not remembered.
      signer.catch(() => { if (cached === entry) cached = undefined; });
    }
    return cached.signer;
  };
}

async function stampOf(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return 'missing';
  }
}
