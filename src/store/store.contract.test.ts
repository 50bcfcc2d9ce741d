import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addArtifact, listArtifacts } from './artifacts.ts';
import { listCloudImages, recordCloudImage } from './cloud-images.ts';
import { createProduct, ensureProduct, getProduct, listProducts } from './products.ts';
import {
  createPendingRelease, deleteUnpublishedRelease, findRelease, latestReleaseHeads, listReleases, markReleasePublished, promoteRelease, revokeRelease,
} from './releases.ts';
import { type TestHandle, testDatabases } from './test-databases.ts';
import { compareVersions, nextVersion } from './versions.ts';

const pkgs = [{ name: 'bash', version: '5.2.15-2+b7', arch: 'amd64' }];

for (const target of testDatabases) {
  describe(`store contract (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    before(async () => { h = await target.open(); });
    after(async () => { await h?.close(); });

    test('products: create, get, list, ensure; bad or duplicate ids are refused', async () => {
      await createProduct(h.db, { id: 'base', title: 'Base', description: 'the base image', recipePath: 'recipes/base.yaml' });
      assert.equal((await getProduct(h.db, 'base'))?.recipePath, 'recipes/base.yaml');
      await assert.rejects(createProduct(h.db, { id: 'base', title: 'x', description: '', recipePath: null }), { code: 'product.exists' });
      await assert.rejects(createProduct(h.db, { id: 'Bad Id', title: 'x', description: '', recipePath: null }), { code: 'product.bad_id' });
      assert.equal((await ensureProduct(h.db, 'web-node')).id, 'web-node');
      assert.deepEqual((await listProducts(h.db)).map((p) => p.id), ['base', 'web-node']);
    });

    test('releases: pending until published, then promote and revoke; manifest round-trips', async () => {
      const r = await createPendingRelease(h.db, { productId: 'base', version: '2026.11.25.0', channel: 'testing', recipeDigest: 'sha256:abc', packages: pkgs });
      assert.equal(r.state, 'pending');
      await assert.rejects(promoteRelease(h.db, r.id, 'stable'), { code: 'release.not_published' });
      await assert.rejects(createPendingRelease(h.db, { productId: 'base', version: '2026.11.25.0', channel: 'testing', recipeDigest: 'x', packages: [] }), { code: 'release.exists' });
      await assert.rejects(createPendingRelease(h.db, { productId: 'base', version: 'v1', channel: 'testing', recipeDigest: 'x', packages: [] }), { code: 'release.bad_version' });
      await markReleasePublished(h.db, r.id);
      assert.equal((await promoteRelease(h.db, r.id, 'stable')).channel, 'stable');
      const revoked = await revokeRelease(h.db, r.id, 'CVE-2026-0001 in openssl');
      assert.equal(revoked.revokeReason, 'CVE-2026-0001 in openssl');
      const back = await findRelease(h.db, 'base', '2026.11.25.0');
      assert.deepEqual(back?.packages, pkgs);
      assert.equal(back?.recipeDigest, 'sha256:abc');
      assert.ok(back?.revokedAt);
      await assert.rejects(promoteRelease(h.db, r.id, 'testing'), { code: 'release.revoked' });
    });

    test('releases list newest version first and filter by channel and state', async () => {
      for (const v of ['2026.11.26.9', '2026.11.26.10']) {
        const r = await createPendingRelease(h.db, { productId: 'web-node', version: v, channel: 'testing', recipeDigest: 'd', packages: [] });
        await markReleasePublished(h.db, r.id);
      }
      const pending = await createPendingRelease(h.db, { productId: 'web-node', version: '2026.11.27.0', channel: 'testing', recipeDigest: 'd', packages: [] });
      const listed = await listReleases(h.db, { productId: 'web-node', channel: 'testing', state: 'published' });
      assert.deepEqual(listed.map((r) => r.version), ['2026.11.26.10', '2026.11.26.9']);
      await deleteUnpublishedRelease(h.db, pending.id);
      assert.equal(await findRelease(h.db, 'web-node', '2026.11.27.0'), undefined);
    });

    test('latest release heads: newest published unrevoked version per product, without package lists', async () => {
      const publish = async (productId: string, version: string, channel: 'testing' | 'stable' = 'testing') => {
        await ensureProduct(h.db, productId);
        const r = await createPendingRelease(h.db, { productId, version, channel, recipeDigest: 'd', packages: pkgs });
        await markReleasePublished(h.db, r.id);
        return r;
      };
      // by version, not by text or by insertion: .10 is newer than .9
      await publish('heads-a', '2026.12.01.10', 'stable');
      await publish('heads-a', '2026.12.01.9');
      const revoked = await publish('heads-a', '2026.12.02.0');
      await revokeRelease(h.db, revoked.id, 'bad');
      await createPendingRelease(h.db, { productId: 'heads-a', version: '2026.12.03.0', channel: 'testing', recipeDigest: 'd', packages: [] });
      await publish('heads-b', '2026.12.01.0');
      await publish('heads-other', '2026.12.05.0');
      const heads = await latestReleaseHeads(h.db, ['heads-a', 'heads-b', 'heads-none', 'heads-a']);
      assert.deepEqual([...heads.keys()].sort(), ['heads-a', 'heads-b']);
      const a = heads.get('heads-a')!;
      assert.deepEqual({ version: a.version, channel: a.channel, untested: a.untested, published: typeof a.publishedAt }, { version: '2026.12.01.10', channel: 'stable', untested: false, published: 'string' });
      assert.equal('packages' in a, false);
      assert.deepEqual([...(await latestReleaseHeads(h.db, [])).keys()], []);
    });

    test('artifacts keep sizes beyond 2 GiB and their checksums', async () => {
      const r = await createPendingRelease(h.db, { productId: 'base', version: '2026.11.28.0', channel: 'testing', recipeDigest: 'd', packages: [] });
      await addArtifact(h.db, { releaseId: r.id, arch: 'x86_64', format: 'qcow2', fileName: 'disk.qcow2', location: 'k/disk.qcow2', size: 5_000_000_000, sha256: 'a'.repeat(64), uncompressedSha256: null, signature: 'k/disk.qcow2.asc' });
      const [a] = await listArtifacts(h.db, [r.id]);
      assert.equal(a?.size, 5_000_000_000);
      assert.equal(a?.sha256, 'a'.repeat(64));
    });

    test('cloud images are write-once; backfilling a new region and repeating the same id are fine', async () => {
      const r = (await findRelease(h.db, 'base', '2026.11.28.0'))!;
      const img = { releaseId: r.id, arch: 'x86_64', platform: 'aws', region: 'eu-west-1', imageId: 'ami-0001' };
      await recordCloudImage(h.db, img);
      await recordCloudImage(h.db, img);
      await assert.rejects(recordCloudImage(h.db, { ...img, imageId: 'ami-0002' }), { code: 'cloud_image.immutable' });
      await recordCloudImage(h.db, { ...img, region: 'us-east-1', imageId: 'ami-0003' });
      assert.deepEqual((await listCloudImages(h.db, [r.id])).map((i) => i.imageId), ['ami-0001', 'ami-0003']);
    });
  });
}

test('versions: next per day, numeric ordering', () => {
  const day = new Date('2026-11-25T10:00:00Z');
  assert.equal(nextVersion([], day), '2026.11.25.0');
  assert.equal(nextVersion(['2026.11.25.0', '2026.11.25.1', '2026.11.24.5'], day), '2026.11.25.2');
  assert.ok(compareVersions('2026.11.25.10', '2026.11.25.9') > 0);
});
