import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { publishRelease } from '../../src/release/publish-release.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import { listReleases } from '../../src/store/releases.ts';
import { feedCheck, runReadLoad, sha256 } from '../helpers/read-load.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { cliPath, killHard, spawnTs, waitForLine } from '../release/fixtures/child-process.ts';
import { makeServices } from '../release/fixtures/services.ts';

const children: ChildProcess[] = [];
after(async () => { await Promise.all(children.map(killHard)); });

/**
 * Bounded load: 200 concurrent anonymous readers of the feeds and of 4 KiB ranges of an image, against a
 * real `herd serve` process, while another process publishes releases (two of them racing for one
 * version). No reader may see an error, a wrong byte or a feed generation going back; no publish may be lost.
 */
test('200 anonymous feed and range readers while publishes run: no errors, nothing lost', { timeout: 180_000 }, async () => {
  const env = await makeServices('herd-load-');
  try {
    const data = join(env.dir, 'data');
    const first = writeBuildOutput(join(env.dir, 'b0'), { seed: 'load-0', version: '2026.11.30.0' });
    const r0 = await publishRelease(env.svc, first);
    const qcow2 = (await listArtifacts(env.svc.store.db, [r0.id])).find((a) => a.format === 'qcow2')!;
    const expected = readFileSync(join(first, 'disk.qcow2')).subarray(4096, 8192);

    const serve = spawnTs(cliPath, ['serve', '--no-respin', '--data', data, '--port', '0', '--no-worker']);
    children.push(serve);
    const [, url] = await waitForLine(serve, /listening on (http:\/\/\S+)/, 60_000);

    const publishes = (async () => {
      const done = [];
      for (let i = 1; i <= 4; i++) done.push(await publishRelease(env.svc, writeBuildOutput(join(env.dir, `b${i}`), { seed: `load-${i}`, version: `2026.11.30.${i}` })));
      // two attempts at one version: exactly one may win, and the winner must stay whole
      const race = await Promise.allSettled(['x', 'y'].map((s) => publishRelease(env.svc, writeBuildOutput(join(env.dir, `race-${s}`), { seed: `race-${s}` }), { version: '2026.11.30.9' })));
      return { done, race };
    })();
    const load = await runReadLoad(url!, [
      { name: 'feed', path: '/feeds/testing.json', status: 200, check: feedCheck() },
      { name: 'range', path: `/artifacts/${qcow2.location}`, headers: { range: 'bytes=4096-8191' }, status: 206,
        check: (b) => (b.equals(expected) ? undefined : `range body differs (${b.length} bytes)`) },
      { name: 'signature', path: '/feeds/testing.json.asc', status: 200, check: (b) => (b.includes('BEGIN PGP SIGNATURE') ? undefined : 'not a signature') },
    ], { readers: 200, until: publishes, maxMs: 120_000 });
    const { done, race } = await publishes;

    assert.deepEqual(load.problems, []);
    assert.equal(load.errors, 0);
    assert.ok(load.perTarget.feed!.requests > 200 && load.perTarget.range!.requests > 200, `too little load: ${JSON.stringify(load.perTarget)}`);
    assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one of two same-version publishes wins');

    // nothing lost: every release is published and listed, and every artifact it names is served whole
    const published = await listReleases(env.svc.store.db, { productId: 'base', state: 'published' });
    assert.deepEqual(published.map((r) => r.version).sort(), ['2026.11.30.0', '2026.11.30.1', '2026.11.30.2', '2026.11.30.3', '2026.11.30.4', '2026.11.30.9']);
    for (const a of await listArtifacts(env.svc.store.db, published.map((r) => r.id))) {
      const res = await fetch(`${url}/artifacts/${a.location}`);
      assert.equal(res.status, 200, a.location);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), a.sha256, a.location);
    }
    // the server caches feed documents for a second, so a write by another process shows within it
    let current: string[] = [];
    for (let tries = 0; tries < 50 && !(current.length && current.every((v) => v === '2026.11.30.9')); tries++) {
      if (tries) await new Promise((r) => setTimeout(r, 100));
      const feed = await (await fetch(`${url}/feeds/testing.json`)).json() as { products: Record<string, { architectures: Record<string, { artifacts: Record<string, { release: string }> }> }> };
      current = Object.values(feed.products.base!.architectures.x86_64!.artifacts).map((p) => p.release);
    }
    assert.ok(current.length && current.every((v) => v === '2026.11.30.9'), `feed lists ${current.join(', ')}`);
    assert.ok(done.length === 4);
  } finally {
    await env.cleanup();
  }
});
