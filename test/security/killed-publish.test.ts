import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/api/app.ts';
import { collectGarbage } from '../../src/release/gc.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { createPendingRelease, listReleases } from '../../src/store/releases.ts';
import { succeededBuild } from '../release/fixtures/build-output.ts';
import { cliPath, killHard, spawnTs, waitForLine } from '../release/fixtures/child-process.ts';
import { makeServices } from '../release/fixtures/services.ts';

const slowWorker = fileURLToPath(new URL('../release/fixtures/slow-publish-worker.ts', import.meta.url));
const children: ChildProcess[] = [];
after(async () => { await Promise.all(children.map(killHard)); });

describe('a publish killed mid-way', () => {
  test('its pending release is never served, and gc removes it with its artifacts and partial uploads', async () => {
    const env = await makeServices('herd-killed-');
    try {
      const data = join(env.dir, 'data');
      const build = await succeededBuild(env.svc, data);
      await env.svc.queue.enqueue('publish', { v: 2, build }, { maxAttempts: 1 });
      const child = spawnTs(slowWorker, [data]);
      children.push(child);
      const [, key] = (await waitForLine(child, /stored (\S+)/))!;
      await killHard(child);

      const [pending] = await listReleases(env.svc.store.db, { productId: 'base' });
      assert.equal(pending?.state, 'pending');
      const rows = await listArtifacts(env.svc.store.db, [pending!.id]);
      assert.ok(rows.some((a) => a.location === key), 'the row is recorded before the object is stored');
      const app = createApp(env.svc, { documentTtlMs: 0 });
      assert.ok(await env.svc.artifacts.stat(key!), 'the object is in the store');
      assert.equal((await app.request(`/artifacts/${key}`)).status, 404, 'but an unpublished release is not served');
      assert.equal((await app.request(`/artifacts/${key}.asc`)).status, 404);

      // a half-written upload, as a put killed mid-stream leaves it
      const part = join(data, 'artifacts', '.tmp', 'killed.part');
      mkdirSync(join(data, 'artifacts', '.tmp'), { recursive: true });
      writeFileSync(part, 'half');
      utimesSync(part, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      assert.equal((await app.request('/artifacts/.tmp/killed.part')).status, 404);

      // a live attempt (touched just now) is left alone by the default grace period
      const fresh = await collectGarbage(env.svc);
      assert.deepEqual(fresh.releases, []);
      assert.deepEqual(fresh.partialUploads, []);

      const dry = await collectGarbage(env.svc, { olderThanMs: 0, dryRun: true });
      assert.deepEqual(dry.releases.map((r) => r.id), [pending!.id]);
      assert.ok(dry.artifacts.includes(key!));
      assert.deepEqual(dry.partialUploads, ['.tmp/killed.part']);
      assert.ok(await env.svc.artifacts.stat(key!), 'a dry run removes nothing');

      const done = await collectGarbage(env.svc, { olderThanMs: 0 });
      assert.deepEqual(done.releases.map((r) => r.id), [pending!.id]);
      assert.deepEqual(await listReleases(env.svc.store.db, { productId: 'base' }), []);
      assert.equal(await env.svc.artifacts.stat(key!), undefined);
      assert.equal(existsSync(part), false);
    } finally {
      await env.cleanup();
    }
  });

  test('herd serve cleans stale pending releases when it starts', async () => {
    const env = await makeServices('herd-killed-serve-');
    try {
      const data = join(env.dir, 'data');
      await ensureProduct(env.svc.store.db, 'base');
      const stale = await createPendingRelease(env.svc.store.db, { productId: 'base', version: '2026.11.25.0', channel: 'testing', recipeDigest: 'd', packages: [], owner: 'job:dead' });
      await env.svc.store.db.updateTable('releases').set({ touched_at: new Date(Date.now() - 86_400_000).toISOString() }).where('id', '=', stale.id).execute();
      const live = await createPendingRelease(env.svc.store.db, { productId: 'base', version: '2026.11.25.1', channel: 'testing', recipeDigest: 'd', packages: [], owner: 'job:alive' });
      const serve = spawnTs(cliPath, ['serve', '--no-respin', '--data', data, '--port', '0', '--no-worker']);
      children.push(serve);
      await waitForLine(serve, /listening on/, 60_000);
      await killHard(serve);
      assert.deepEqual((await listReleases(env.svc.store.db, { productId: 'base' })).map((r) => r.id), [live.id]);
    } finally {
      await env.cleanup();
    }
  });
});
