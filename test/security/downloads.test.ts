import assert from 'node:assert/strict';
import { mkdirSync, openSync, statSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { noneMatch, rangeStillValid } from '../../src/api/conditional.ts';
import { DocumentCache } from '../../src/api/document-cache.ts';
import { checkKey } from '../../src/backends/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../src/backends/artifacts/fs-artifact-store.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import type { Release } from '../../src/store/releases.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { makeServices } from '../release/fixtures/services.ts';

describe('downloads: ETags from content, conditional requests, no cache growth', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  let a: Release;
  let b: Release;
  const url = async (r: Release, format = 'qcow2') => `/artifacts/${(await listArtifacts(env.svc.store.db, [r.id])).find((x) => x.format === format)!.location}`;
  before(async () => {
    env = await makeServices('herd-downloads-');
    app = createApp(env.svc, { documentTtlMs: 0 });
    // two releases whose images have the same sizes and different bytes
    a = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'a'), { name: 'same', version: '2026.11.25.0', seed: 'x' }));
    b = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b'), { name: 'same', version: '2026.11.25.1', seed: 'y' }));
  });
  after(async () => { await env.cleanup(); });

  test('the ETag of a release artifact is its sha256; same size, other bytes: another ETag', async () => {
    const [ra, rb] = await Promise.all([app.request(await url(a)), app.request(await url(b))]);
    const [sa] = (await listArtifacts(env.svc.store.db, [a.id])).filter((x) => x.format === 'qcow2');
    assert.equal(ra.headers.get('content-length'), rb.headers.get('content-length'));
    assert.equal(ra.headers.get('etag'), `"sha256-${sa!.sha256}"`);
    assert.notEqual(ra.headers.get('etag'), rb.headers.get('etag'));
    const sig = await app.request(`${await url(a)}.asc`);
    assert.equal(sig.status, 200);
    assert.notEqual(sig.headers.get('etag'), ra.headers.get('etag'));
  });

  test('a same-size edit in place changes the store ETag even when the mtime is put back', async () => {
    const store = new FsArtifactStore(join(env.dir, 'store'));
    await store.put('p/x.img', Buffer.alloc(4096, 1));
    const before = await store.stat('p/x.img');
    const file = join(env.dir, 'store', 'p', 'x.img');
    const { atimeMs, mtimeMs } = statSync(file);
    await new Promise((r) => setTimeout(r, 20));
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(16, 2), 0, 16, 100);
    closeSync(fd);
    utimesSync(file, atimeMs / 1000, mtimeMs / 1000);
    const after = await store.stat('p/x.img');
    assert.equal(after?.size, before?.size);
    assert.equal(after?.modified.getTime(), before?.modified.getTime());
    assert.notEqual(after?.etag, before?.etag);
  });

  test('If-None-Match: weak comparison, lists and *', async () => {
    const path = await url(a);
    const etag = (await app.request(path)).headers.get('etag')!;
    for (const inm of [etag, `W/${etag}`, `"nope", W/${etag}`, `"x",${etag}`, '*']) {
      assert.equal((await app.request(path, { headers: { 'if-none-match': inm } })).status, 304, inm);
    }
    for (const inm of ['"nope"', 'W/"nope", "other"', etag.slice(0, -2) + '"']) {
      assert.equal((await app.request(path, { headers: { 'if-none-match': inm } })).status, 200, inm);
    }
    const feed = await app.request('/feeds/testing.json');
    const fe = feed.headers.get('etag')!;
    assert.equal((await app.request('/feeds/testing.json', { headers: { 'if-none-match': `W/${fe}` } })).status, 304);
    assert.equal((await app.request('/feeds/testing.json', { headers: { 'if-none-match': `"a", ${fe}` } })).status, 304);
    assert.equal((await app.request('/feeds/testing.json', { headers: { 'if-none-match': '*' } })).status, 304);
  });

  test('If-Range: a strong match gives the range, a weak or other validator the whole file', async () => {
    const path = await url(a);
    const full = await app.request(path);
    const etag = full.headers.get('etag')!;
    assert.equal((await app.request(path, { headers: { range: 'bytes=0-9', 'if-range': etag } })).status, 206);
    assert.equal((await app.request(path, { headers: { range: 'bytes=0-9', 'if-range': `W/${etag}` } })).status, 200);
    assert.equal((await app.request(path, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } })).status, 200);
    assert.equal((await app.request(path, { headers: { range: 'bytes=0-9', 'if-range': full.headers.get('last-modified')! } })).status, 206);
    assert.equal(rangeStillValid('Thu, 01 Jan 1970 00:00:00 GMT', etag, new Date()), false);
    assert.equal(noneMatch(undefined, etag), false);
  });

  test('keys with a part beginning with "." are refused; .tmp uploads are never served', async () => {
    for (const k of ['.tmp/x.part', 'a/.hidden', 'a/../b', './a', 'a/.']) assert.throws(() => checkKey(k), { code: 'artifact.bad_key' }, k);
    const tmp = join(env.dir, 'data', 'artifacts', '.tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'x.part'), 'half an upload');
    for (const p of ['/artifacts/.tmp/x.part', '/artifacts/%2Etmp/x.part', '/artifacts/same/%2E%2E/.tmp/x.part']) {
      assert.equal((await app.request(p)).status, 404, p);
    }
  });

  test('a file in the store that no published release names is not served', async () => {
    await env.svc.artifacts.put('same/2026.11.25.0/x86_64/stray.img', Buffer.from('not part of any release'));
    assert.equal((await app.request('/artifacts/same/2026.11.25.0/x86_64/stray.img')).status, 404);
  });

  test('10,000 junk document paths do not grow the document cache', async () => {
    const cache = new DocumentCache(env.svc.store, 60_000);
    await cache.get('feeds/testing.json');
    assert.equal(cache.size, 1);
    for (let i = 0; i < 10_000; i++) assert.equal(await cache.get(`feeds/junk-${i}-${'x'.repeat(100)}.json`), undefined);
    assert.equal(cache.size, 1);
    // and through the route: misses are 404s that leave nothing behind
    const cached = createApp(env.svc, { documentTtlMs: 60_000 });
    for (let i = 0; i < 200; i++) assert.equal((await cached.request(`/feeds/junk-${i}.json`)).status, 404);
    const small = new DocumentCache(env.svc.store, 60_000, 3);
    for (const p of ['feeds/testing.json', 'feeds/stable.json', 'releases/testing.json', 'releases/stable.json', 'streams/v1/index.json']) await small.get(p);
    assert.equal(small.size, 3);
  });
});
