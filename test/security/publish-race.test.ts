import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { FsArtifactStore } from '../../src/backends/artifacts/fs-artifact-store.ts';
import { generateKey, loadActiveSigner } from '../../src/keys/keyring.ts';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { SqlQueue } from '../../src/queue/sql-queue.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import { createPendingRelease, listReleases } from '../../src/store/releases.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { type TestHandle, testDatabases } from '../../src/store/test-databases.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';

/** Release services over one of the test databases (SQLite, or PostgreSQL when HERD_TEST_POSTGRES_URL is set). */
async function servicesOn(db: TestHandle, dir: string): Promise<ReleaseServices> {
  await generateKey(join(dir, 'keys'));
  const signer = loadActiveSigner(join(dir, 'keys'));
  return {
    store: db, queue: new SqlQueue(db), artifacts: new FsArtifactStore(join(dir, 'artifacts')),
    feed: { publicUrl: 'https://images.example.org', feedTtlMs: 86_400_000 }, recipesDir: DEFAULT_RECIPES_DIR,
    signer: () => signer, close: () => db.close(),
  };
}

for (const d of testDatabases) {
  describe(`concurrent publishes of one version (${d.name})`, { skip: d.skip }, () => {
    let dir: string;
    let svc: ReleaseServices;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'herd-race-'));
      svc = await servicesOn(await d.open({ poolSize: 8 }), dir);
    });
    after(async () => { await svc?.close(); rmSync(dir, { recursive: true, force: true }); });

    /** Every artifact and signature of the product's published release downloads, with the bytes the row says. */
    const assertServed = async (productId: string, count = 1) => {
      const app = createApp(svc, { documentTtlMs: 0 });
      const published = await listReleases(svc.store.db, { productId, state: 'published' });
      assert.equal(published.length, count);
      assert.equal(new Set(published.map((r) => r.version)).size, count);
      const arts = await listArtifacts(svc.store.db, published.map((r) => r.id));
      assert.ok(arts.length >= 2);
      for (const a of arts) {
        const res = await app.request(`/artifacts/${a.location}`);
        assert.equal(res.status, 200, a.location);
        const bytes = Buffer.from(await res.arrayBuffer());
        assert.equal(bytes.length, a.size);
        assert.equal((await app.request(`/artifacts/${a.signature}`)).status, 200, a.signature);
      }
      const feed = JSON.parse(await (await app.request('/feeds/testing.json')).text());
      assert.equal(feed.products[productId].release, published[0]!.version);
    };

    test('same explicit version, different images: exactly one wins, the loser fails cleanly and touches nothing of it', async () => {
      for (let round = 0; round < 3; round++) {
        const product = `race-${round}`;
        const outs = [0, 1, 2].map((i) => writeBuildOutput(join(dir, `out-${round}-${i}`), { name: product, seed: `r${round}-${i}` }));
        const results = await Promise.allSettled(outs.map((o) => publishRelease(svc, o, { version: '2026.11.25.0' })));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, `round ${round}: ${lost.map((l) => l.reason?.message).join('; ')}`);
        for (const l of lost) assert.equal(l.reason.code, 'release.exists', l.reason.message);
        assert.deepEqual((await listReleases(svc.store.db, { productId: product })).map((r) => r.state), ['published']);
        await assertServed(product);
      }
    });

    test('same proposed version from the manifest: one release per version, all of them served', async () => {
      const outs = [0, 1].map((i) => writeBuildOutput(join(dir, `prop-${i}`), { name: 'proposed', version: '2026.11.26.0', seed: `p${i}` }));
      // the later one takes the next free number that day, or (when they truly race) fails with a conflict
      const results = await Promise.allSettled(outs.map((o) => publishRelease(svc, o)));
      for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.code, 'release.exists');
      const won = results.filter((r) => r.status === 'fulfilled').length;
      assert.ok(won >= 1);
      assert.deepEqual((await listReleases(svc.store.db, { productId: 'proposed' })).map((r) => r.state), Array(won).fill('published'));
      await assertServed('proposed', won);
    });

    test('a publish that starts while another is mid-upload under the same version loses, and the first one is intact', async () => {
      let release!: () => void;
      const paused = new Promise<void>((r) => { release = r; });
      let reached!: () => void;
      const midway = new Promise<void>((r) => { reached = r; });
      const slow: ReleaseServices = { ...svc, artifacts: Object.create(svc.artifacts) };
      let puts = 0;
      slow.artifacts.put = async (key, source) => {
        const r = await svc.artifacts.put(key, source);
        if (++puts === 1) { reached(); await paused; }
        return r;
      };
      const first = publishRelease(slow, writeBuildOutput(join(dir, 'mid-a'), { name: 'midway', seed: 'a' }), { version: '2026.11.28.0' });
      await midway;
      const second = await publishRelease(svc, writeBuildOutput(join(dir, 'mid-b'), { name: 'midway', seed: 'b' }), { version: '2026.11.28.0' }).then(() => undefined, (e) => e);
      release();
      const won = await first;
      assert.equal(second?.code, 'release.exists', 'the second attempt must not take over a live one');
      assert.equal(won.state, 'published');
      await assertServed('midway');
    });

    test("another attempt's live pending release is never removed, even under the same explicit version", async () => {
      await ensureProduct(svc.store.db, 'held');
      const live = await createPendingRelease(svc.store.db, { productId: 'held', version: '2026.11.27.0', channel: 'testing', recipeDigest: 'd', packages: [], owner: 'job:other' });
      await assert.rejects(publishRelease(svc, writeBuildOutput(join(dir, 'held'), { name: 'held', seed: 'h' }), { version: '2026.11.27.0' }), { code: 'release.exists' });
      const [still] = await listReleases(svc.store.db, { productId: 'held' });
      assert.equal(still?.id, live.id);
      assert.equal(still?.state, 'pending');
      // the same owner (a retried job) may take its own over
      const r = await publishRelease(svc, writeBuildOutput(join(dir, 'held2'), { name: 'held', seed: 'h2' }), { version: '2026.11.27.0', owner: 'job:other' });
      assert.equal(r.state, 'published');
      await assertServed('held');
    });
  });
}
