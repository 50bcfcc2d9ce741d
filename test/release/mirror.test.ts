import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3ArtifactStore } from '../../src/backends/artifacts/s3-artifact-store.ts';
import { readKeyring } from '../../src/keys/keyring.ts';
import { mirrorService } from '../../src/release/mirror.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import { listReleases } from '../../src/store/releases.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';
import { S3rver, type S3rverServer } from '../helpers/s3rver.ts';

/**
 * `herd mirror` (issue #12) to a real S3-compatible server (s3rver on 127.0.0.1): every published image and its
 * signature, then feeds signed again with links under the mirror's URL. A client pointed at the mirror alone
 * verifies the feed and an image downloaded from it with `herd verify`'s own code.
 */
describe('mirroring the service to an S3 bucket', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let s3: S3rverServer;
  let s3dir: string;
  let endpoint: string;
  let dest: S3ArtifactStore;
  const mirrorUrl = () => `${endpoint}/herd-mirror/pub`;

  before(async () => {
    env = await makeServices('herd-mirror-');
    s3dir = mkdtempSync(join(tmpdir(), 'herd-mirror-s3-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: s3dir, silent: true, configureBuckets: [{ name: 'herd-mirror' }] });
    endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
    dest = new S3ArtifactStore({ bucket: 'herd-mirror', prefix: 'pub/', endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  after(async () => {
    await s3?.close();
    rmSync(s3dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  test('files first, then feeds signed for the mirror; a client using only the mirror verifies an image; a second run copies nothing', async () => {
    await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'base', version: '2026.12.01.0', seed: 'one' }));
    await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'base', version: '2026.12.02.0', seed: 'two' }));
    const first = await mirrorService(env.svc, dest, { publicUrl: mirrorUrl(), keysDir: join(env.dir, 'data', 'keys') });
    assert.equal(first.copied.length, 8, 'two releases × (qcow2, raw.xz) × (file, signature)');
    assert.equal(first.skipped, 0);
    assert.ok(first.documents >= 6);

    // what a client of the mirror sees: the feed names files under the mirror's URL
    const feed = await (await fetch(`${mirrorUrl()}/feeds/testing.json`)).json() as { products: { base: { release: string } } };
    assert.equal(feed.products.base.release, '2026.12.02.0');
    const text = JSON.stringify(feed);
    assert.ok(text.includes(`${mirrorUrl()}/artifacts/base/2026.12.02.0/`), 'links under the mirror');
    assert.ok(!text.includes('images.example.org'), 'no link to the primary');
    const qcow2 = text.match(new RegExp(`"location":"(${mirrorUrl().replace(/[/.:]/g, '\\$&')}[^"]+disk\\.qcow2)"`))![1]!;
    const dl = mkdtempSync(join(tmpdir(), 'herd-mirror-dl-'));
    try {
      writeFileSync(join(dl, 'disk.qcow2'), Buffer.from(await (await fetch(qcow2)).arrayBuffer()));
      const keyring = await (await fetch(`${mirrorUrl()}/keys/keyring.asc`)).text();
      assert.equal(keyring, await readKeyring(join(env.dir, 'data', 'keys')));
      const v = await verifyFeed({ feed: `${mirrorUrl()}/feeds/testing.json`, keyring, statePath: join(dl, 'state.json'), artifact: join(dl, 'disk.qcow2') });
      assert.deepEqual([v.artifact?.release, v.artifact?.format], ['2026.12.02.0', 'qcow2']);
    } finally {
      rmSync(dl, { recursive: true, force: true });
    }

    const again = await mirrorService(env.svc, dest, { publicUrl: mirrorUrl() });
    assert.deepEqual([again.copied, again.skipped], [[], 8]);
  });

  test('a file the mirror holds at another size is sent again', async () => {
    const [key] = (await mirrorService(env.svc, dest, { publicUrl: mirrorUrl() })).copied;
    assert.equal(key, undefined, 'nothing to copy');
    const releases = await listReleases(env.svc.store.db, { state: 'published' });
    const victim = `artifacts/${(await listArtifacts(env.svc.store.db, releases.map((r) => r.id)))[0]!.location}`;
    await dest.put(victim, new TextEncoder().encode('truncated'));
    const fixed = await mirrorService(env.svc, dest, { publicUrl: mirrorUrl() });
    assert.deepEqual(fixed.copied, [victim]);
  });
});
