import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { parseRange } from '../../src/api/byte-range.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import type { Release } from '../../src/store/releases.ts';
import { releaseHandlers } from '../../src/worker/handlers.ts';
import { Worker } from '../../src/worker/worker.ts';
import { bearer, tokenFor } from './fixtures/auth.ts';
import { succeededBuild, writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

let admin = '';
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify(body) });

describe('HTTP API', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  let release: Release;
  before(async () => {
    env = await makeServices('herd-api-');
    app = createApp(env.svc, { dataDir: join(env.dir, 'data'), eventPollMs: 20, documentTtlMs: 0 });
    admin = await tokenFor(env.svc, 'admin');
    release = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'out'), { version: '2026.11.25.0' }));
  });
  after(async () => { await env.cleanup(); });

  test('unknown routes are 404 with a JSON error', async () => {
    const res = await app.request('/api/nope');
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 'api.not_found');
  });

  test('invalid input is 400 with the path of each problem', async () => {
    const res = await app.request('/api/products', json({ id: 'Not Valid', title: '' }));
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.code, 'api.invalid_input');
    assert.deepEqual(body.details.map((d: any) => d.path).sort(), ['body.id', 'body.title']);
    assert.ok(body.hint);
    const bad = await app.request('/api/products', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json', ...bearer(admin) } });
    assert.equal((await bad.json()).code, 'api.invalid_json');
    assert.equal((await app.request('/api/releases/not-a-uuid')).status, 400);
    assert.equal((await app.request('/api/releases?channel=nightly')).status, 400);
  });

  test('products: register, list, conflict, start a build job', async () => {
    const res = await app.request('/api/products', json({ id: 'web-python', title: 'Web app: Python', recipe: 'base' }));
    assert.equal(res.status, 201);
    assert.equal((await app.request('/api/products', json({ id: 'web-python', title: 'again' }))).status, 409);
    const list = await (await app.request('/api/products')).json();
    assert.deepEqual(list.products.map((p: any) => p.id), ['base', 'web-python']);
    const build = await app.request('/api/products/web-python/builds', json({}));
    assert.equal(build.status, 202);
    const job = await build.json();
    assert.equal(job.kind, 'build');
    assert.deepEqual(job.payload, { v: 2, recipe: 'base', product: 'web-python', channel: 'testing', qa: 'full', publish: true });
    assert.equal((await app.request('/api/products', json({ id: 'web-go', title: 'Go', recipe: 'no-such-recipe' }))).status, 400);
    assert.equal((await app.request('/api/products/nope/builds', json({}))).status, 404);
    assert.equal((await app.request(`/api/jobs/${job.id}/cancel`, json({}))).status, 200);
  });

  test('cloud images: recorded once, backfilled, refused when changed, and listed in the feed', async () => {
    const url = `/api/releases/${release.id}/cloud-images`;
    assert.equal((await app.request(url, json({ arch: 'x86_64', platform: 'aws', region: 'eu-west-1', imageId: 'ami-0abc' }))).status, 201);
    assert.equal((await app.request(url, json({ arch: 'x86_64', platform: 'aws', region: 'eu-west-1', imageId: 'ami-0abc' }))).status, 201);
    const clash = await app.request(url, json({ arch: 'x86_64', platform: 'aws', region: 'eu-west-1', imageId: 'ami-0def' }));
    assert.equal(clash.status, 409);
    assert.equal((await clash.json()).code, 'cloud_image.immutable');
    assert.equal((await app.request(url, json({ arch: 'x86_64', platform: 'aws', region: 'Bad Region', imageId: 'x' }))).status, 400);
    const feed = await (await app.request('/feeds/testing.json')).json();
    assert.deepEqual(feed.products.base.architectures.x86_64.images.aws.regions['eu-west-1'], { release: '2026.11.25.0', image: 'ami-0abc' });
    const stream = await (await app.request('/coreos/base/streams/testing.json')).json();
    assert.equal(stream.architectures.x86_64.images.aws.regions['eu-west-1'].image, 'ami-0abc');
  });

  test('two releases diff by package manifest', async () => {
    const out = writeBuildOutput(join(env.dir, 'out-diff'), { name: 'diffme', version: '2026.11.25.0', seed: 'x' });
    const a = await publishRelease(env.svc, out);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.version = '2026.11.26.0';
    m.packages = [{ name: 'bash', version: '5.2.15-2+b8', arch: 'amd64' }, { name: 'curl', version: '7.88.1-10', arch: 'amd64' }];
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
    const b = await publishRelease(env.svc, out);
    const diff = await (await app.request(`/api/releases/${b.id}/diff?from=${a.id}`)).json();
    assert.deepEqual(diff.packages, {
      added: [{ name: 'curl', version: '7.88.1-10', arch: 'amd64' }],
      removed: [{ name: 'cloud-init', version: '22.4.2-1+deb12u1', arch: 'all' }],
      changed: [{ name: 'bash', arch: 'amd64', from: '5.2.15-2+b7', to: '5.2.15-2+b8' }],
    });
  });

  test('a release shows its artifacts and manifest; promote and revoke change the feeds', async () => {
    const r = await (await app.request(`/api/releases/${release.id}`)).json();
    assert.equal(r.version, '2026.11.25.0');
    assert.equal(r.packages.length, 2);
    assert.deepEqual(r.artifacts.map((a: any) => a.format).sort(), ['qcow2', 'raw.xz']);
    assert.equal((await app.request(`/api/releases/${release.id}/promote`, json({ to: 'stable' }))).status, 200);
    const stable = await (await app.request('/feeds/stable.json')).json();
    assert.equal(stable.products.base.release, '2026.11.25.0');
    assert.equal((await app.request(`/api/releases/${release.id}/promote`, json({ to: 'stable' }))).status, 409);
    assert.equal((await app.request(`/api/releases/${release.id}/revoke`, json({}))).status, 400);
    assert.equal((await app.request(`/api/releases/${release.id}/revoke`, json({ reason: 'bad kernel' }))).status, 200);
    const after = await (await app.request('/feeds/stable.json')).json();
    assert.equal(after.products.base, undefined);
    assert.equal(after.revoked[0].reason, 'bad kernel');
  });

  test('feeds are served with their signature, an ETag and 304 on a match', async () => {
    const res = await app.request('/feeds/testing.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const etag = res.headers.get('etag')!;
    assert.equal((await app.request('/feeds/testing.json', { headers: { 'if-none-match': etag } })).status, 304);
    const sig = await app.request('/feeds/testing.json.asc');
    assert.equal(sig.headers.get('content-type'), 'application/pgp-signature');
    assert.match(await sig.text(), /BEGIN PGP SIGNATURE/);
    assert.equal((await app.request('/streams/v1/index.json')).status, 200);
    assert.match(await (await app.request('/keys/keyring.asc')).text(), /BEGIN PGP PUBLIC KEY BLOCK/);
  });

  test('artifact downloads: whole, ranges, 416, ETag, HEAD, content types', async () => {
    const path = `/artifacts/base/2026.11.25.0/x86_64/${release.id}/disk.qcow2`;
    const full = await app.request(path);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'application/x-qemu-disk');
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    const bytes = Buffer.from(await full.arrayBuffer());
    assert.equal(bytes.length, 65536);
    const part = await app.request(path, { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 10-19/65536');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));
    const tail = await app.request(path, { headers: { range: 'bytes=-5' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(-5));
    const beyond = await app.request(path, { headers: { range: 'bytes=70000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */65536');
    assert.equal((await app.request(path, { headers: { 'if-none-match': full.headers.get('etag')! } })).status, 304);
    const stale = await app.request(path, { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    assert.equal(stale.status, 200);
    const head = await app.request(path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '65536');
    assert.equal((await app.request(`${path}.asc`)).headers.get('content-type'), 'application/pgp-signature');
    assert.equal((await app.request('/artifacts/base/../../etc/passwd')).status, 404);
    assert.equal((await app.request('/artifacts/base/missing.raw')).status, 404);
  });

  test('job progress streams as server-sent events until the job ends', async () => {
    const build = await succeededBuild(env.svc, join(env.dir, 'data'), { name: 'sse', seed: 's' });
    const job = await (await app.request('/api/publish', json({ build }))).json();
    const worker = new Worker({ queue: env.svc.queue, handlers: releaseHandlers(env.svc, { buildsDir: join(env.dir, 'data', 'builds') }), pollMs: 10 });
    worker.start();
    const res = await app.request(`/api/jobs/${job.id}/events`, { headers: bearer(admin) });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const text = await res.text();
    await worker.stop();
    assert.match(text, /event: state\ndata: .*"(queued|running|succeeded)"/);
    assert.match(text, /event: log\ndata: .*stored and signed sse\//);
    assert.match(text, /event: end\ndata: .*"succeeded"/);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const resumed = await (await app.request(`/api/jobs/${job.id}/events`, { headers: { 'last-event-id': String(ids.at(-2)), ...bearer(admin) } })).text();
    assert.equal([...resumed.matchAll(/^id: /gm)].length, 1);
  });

  test('writes go through the one role check; public reads do not', async () => {
    const seen: string[] = [];
    const viewer = createApp(env.svc, {
      authenticate: async (c) => { seen.push(c.req.path); return { id: 'v', name: 'portal-user', role: 'viewer', via: 'session' }; },
    });
    const denied = await viewer.request('/api/products', json({ id: 'x', title: 'x' }));
    assert.equal(denied.status, 403);
    assert.match((await denied.json()).message, /needs role publisher/);
    assert.equal((await viewer.request(`/api/releases/${release.id}/revoke`, json({ reason: 'nope nope' }))).status, 403);
    assert.equal((await viewer.request('/api/products')).status, 200);
    assert.equal((await viewer.request('/api/jobs')).status, 200);
    assert.deepEqual(seen, ['/api/products', `/api/releases/${release.id}/revoke`, '/api/jobs']);
  });

  test('the OpenAPI document lists every route with its inputs', async () => {
    const doc = await (await app.request('/api/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    const promote = doc.paths['/api/releases/{id}/promote'].post;
    assert.equal(promote['x-required-role'], 'publisher');
    assert.deepEqual(promote.requestBody.content['application/json'].schema.properties.to.enum, ['testing', 'stable']);
    assert.ok(doc.paths['/api/jobs/{id}/events'].get);
    assert.ok(doc.paths['/artifacts/{key}'].get);
  });
});

test('Range header parsing', () => {
  assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
  assert.deepEqual(parseRange('bytes=5-', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange('bytes=8-100', 10), { start: 8, end: 9 });
  assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,4-5', 10), undefined);
  assert.equal(parseRange('items=0-1', 10), undefined);
  assert.equal(parseRange(undefined, 10), undefined);
});
