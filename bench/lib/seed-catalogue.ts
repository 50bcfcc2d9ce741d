import { createHash } from 'node:crypto';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { artifactKey } from '../../src/release/publish-release.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { addArtifact } from '../../src/store/artifacts.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { createPendingRelease, markReleasePublished } from '../../src/store/releases.ts';

/**
 * A catalogue as a year of publishing leaves it: `products` products (named for catalogue recipes, so the
 * portal lists them) with `releases` published releases each, every release with one stored, signed qcow2.
 * Written through the store functions publish uses, with one feed refresh at the end: publishing each
 * release through publishRelease would re-sign every feed a thousand times, which measures nothing here.
 */
export async function seedCatalogue(svc: ReleaseServices, recipes: string[], releases: number): Promise<number> {
  const signer = await svc.signer();
  let count = 0;
  for (const [p, product] of recipes.entries()) {
    await ensureProduct(svc.store.db, product);
    for (let r = 0; r < releases; r++) {
      const day = new Date(Date.UTC(2026, 0, 1) + r * 7 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '.');
      const release = await createPendingRelease(svc.store.db, {
        productId: product, version: `${day}.0`, channel: r === releases - 1 ? 'testing' : 'stable', recipeDigest: `sha256:${sha(`${product}-${r}`)}`,
        packages: [{ name: 'bash', version: `5.2.${r}-1`, arch: 'amd64' }, { name: 'cloud-init', version: `22.4.${p}-1`, arch: 'all' }],
      });
      const body = Buffer.alloc(4096 + r, `${product}-${r}-`);
      const key = artifactKey(release, 'x86_64', 'disk.qcow2');
      await addArtifact(svc.store.db, {
        releaseId: release.id, arch: 'x86_64', format: 'qcow2', fileName: 'disk.qcow2', location: key,
        size: body.length, sha256: sha(body), uncompressedSha256: null, signature: `${key}.asc`,
      });
      await svc.artifacts.put(key, body);
      await svc.artifacts.put(`${key}.asc`, new TextEncoder().encode(await signer.sign(body)));
      await markReleasePublished(svc.store.db, release.id);
      count++;
    }
  }
  await refreshFeeds(svc);
  return count;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
