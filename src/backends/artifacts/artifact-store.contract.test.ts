import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { checkArtifactsLocation, openArtifactStore } from '../../release/open-services.ts';
import { serviceOptions } from '../../cli/commands/service-options.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { FsArtifactStore } from './fs-artifact-store.ts';
import { parseS3Url, S3ArtifactStore } from './s3-artifact-store.ts';
import { S3rver } from '../../../test/helpers/s3rver.ts';

interface Target { name: string; skip: string | false; make(): Promise<{ store: ArtifactStore; cleanup(): Promise<void> }> }

const S3_BUCKET = 'herd-test';

/** An s3rver on 127.0.0.1, a free port and a temp directory; the AWS SDK talks to it as to S3. */
async function startS3(): Promise<{ endpoint: string; dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'herd-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: S3_BUCKET }] });
  const addr = await server.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}`, dir,
    async stop() { await server.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** s3rver checks only the access key id (it must be S3RVER); the region is what the SDK signs for. */
const s3Env = (endpoint: string, accessKeyId = 'S3RVER'): NodeJS.ProcessEnv => ({
  HERD_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
});

/** Names of the S3 commands a store's client sends, to check that failed multipart uploads are aborted. */
const sentCommands = new WeakMap<S3ArtifactStore, string[]>();

const targets: Target[] = [
  {
    name: 'filesystem',
    skip: false,
    async make() {
      const dir = mkdtempSync(join(tmpdir(), 'herd-artifacts-'));
      return { store: new FsArtifactStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3 (s3rver)',
    skip: false,
    async make() {
      const s3 = await startS3();
      // Through the same entry point as `--artifacts s3://…`, so the wiring is covered too.
      const store = openArtifactStore(`s3://${S3_BUCKET}/releases/main`, s3Env(s3.endpoint));
      assert.ok(store instanceof S3ArtifactStore);
      const sent: string[] = [];
      sentCommands.set(store, sent);
      store.client.middlewareStack.add((next, context) => async (args) => { sent.push(String(context.commandName)); return next(args); },
        { step: 'initialize', name: 'herdRecordCommands' });
      return { store, cleanup: () => { store.client.destroy(); return s3.stop(); } };
    },
  },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

for (const target of targets) {
  describe(`artifact store contract (${target.name})`, { skip: target.skip }, async () => {
    const { store, cleanup } = await target.make();
    after(cleanup);

    test('put returns the size and sha256 of what was stored; open streams it back', async () => {
      const body = 'hello cloud image\n'.repeat(1000);
      const stored = await store.put('base/2026.11.25.0/x86_64/disk.qcow2', Readable.from([body]));
      assert.deepEqual(stored, { key: 'base/2026.11.25.0/x86_64/disk.qcow2', size: body.length, sha256: sha(body) });
      const opened = await store.open(stored.key);
      assert.equal(opened.size, body.length);
      assert.equal(await text(opened.body), body);
    });

    test('open with a byte range returns exactly that range, clamped to the end', async () => {
      await store.put('r/file.bin', Buffer.from('0123456789'));
      const mid = await store.open('r/file.bin', { start: 2, end: 5 });
      assert.equal(await text(mid.body), '2345');
      assert.deepEqual(mid.range, { start: 2, end: 5 });
      const tail = await store.open('r/file.bin', { start: 7, end: 1000 });
      assert.equal(await text(tail.body), '789');
      await assert.rejects(store.open('r/file.bin', { start: 10, end: 12 }), { code: 'artifact.bad_range' });
    });

    test('stat gives a stable ETag that changes when the object is replaced', async () => {
      await store.put('e/x', Buffer.from('one'));
      const a = await store.stat('e/x');
      assert.equal(a?.etag, (await store.stat('e/x'))?.etag);
      await new Promise((r) => setTimeout(r, 5));
      await store.put('e/x', Buffer.from('three'));
      assert.notEqual((await store.stat('e/x'))?.etag, a?.etag);
    });

    test('a failing source stores nothing, not even a partial object', async () => {
      async function* broken() { yield Buffer.from('partial'); throw new Error('disk vanished'); }
      await assert.rejects(store.put('f/broken.raw', Readable.from(broken())), { code: 'artifact.write_failed' });
      assert.equal(await store.stat('f/broken.raw'), undefined);
      if (store instanceof FsArtifactStore) assert.deepEqual(readdirSync(join(store.root, '.tmp')), []);
    });

    test('a large object (multipart in S3) round-trips; one failing midway leaves nothing and keeps the old object', async () => {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + (i >> 10)) & 0xff;
      async function* big(n: number, fail: boolean) {
        for (let i = 0; i < n; i++) { const c = Buffer.from(chunk); c[0] = i; yield c; }
        if (fail) throw new Error('network dropped');
      }
      const expected = createHash('sha256');
      for await (const c of big(20, false)) expected.update(c);
      const stored = await store.put('big/disk.raw', Readable.from(big(20, false)));
      assert.deepEqual(stored, { key: 'big/disk.raw', size: 20 * chunk.length, sha256: expected.digest('hex') });
      const back = createHash('sha256');
      for await (const c of (await store.open('big/disk.raw')).body) back.update(c as Buffer);
      assert.equal(back.digest('hex'), stored.sha256);
      const tail = await store.open('big/disk.raw', { start: 20 * chunk.length - 3, end: 20 * chunk.length + 10 });
      assert.deepEqual(tail.range, { start: 20 * chunk.length - 3, end: 20 * chunk.length - 1 });
      assert.deepEqual(await buffer(tail.body), chunk.subarray(-3));

      const sent = store instanceof S3ArtifactStore ? sentCommands.get(store) : undefined;
      sent?.splice(0);
      await assert.rejects(store.put('big/disk.raw', Readable.from(big(20, true))), { code: 'artifact.write_failed' });
      await assert.rejects(store.put('big/new.raw', Readable.from(big(20, true))), { code: 'artifact.write_failed' });
      assert.equal((await store.stat('big/disk.raw'))?.size, stored.size, 'the previous object is untouched');
      assert.equal(await store.stat('big/new.raw'), undefined);
      if (sent) {
        assert.ok(sent.includes('CreateMultipartUploadCommand'), sent.join());
        assert.ok(sent.includes('AbortMultipartUploadCommand'), `failed multipart uploads are aborted: ${sent.join()}`);
        assert.ok(!sent.includes('CompleteMultipartUploadCommand'), sent.join());
      }
      if (store instanceof FsArtifactStore) assert.deepEqual(readdirSync(join(store.root, '.tmp')), []);
    });

    test('delete removes; unknown keys are not found; keys cannot escape', async () => {
      await store.put('d/gone', Buffer.from('x'));
      await store.delete('d/gone');
      await store.delete('d/gone');
      await assert.rejects(store.open('d/gone'), { code: 'artifact.not_found' });
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', '']) {
        await assert.rejects(store.put(bad, Buffer.from('x')), { code: 'artifact.bad_key' }, bad);
      }
      assert.match(store.url('d/gone'), /^(file|https?):\/\//);
    });
  });
}

describe('s3 artifact store specifics', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  const opened: S3ArtifactStore[] = [];
  const open = (url: string, env: NodeJS.ProcessEnv) => {
    const store = openArtifactStore(url, env) as S3ArtifactStore;
    opened.push(store);
    return store;
  };
  before(async () => { s3 = await startS3(); });
  after(async () => { for (const s of opened) s.client.destroy(); await s3.stop(); });

  test('objects live under the prefix, and url() points at them path-style on the endpoint', async () => {
    const store = open(`s3://${S3_BUCKET}/a/b/`, s3Env(s3.endpoint));
    await store.put('x/y.qcow2', Buffer.from('data'));
    const listed = await store.client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: 'a/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['a/b/x/y.qcow2']);
    assert.equal(store.url('x/y.qcow2'), `${s3.endpoint}/${S3_BUCKET}/a/b/x/y.qcow2`);
    const res = await fetch(store.url('x/y.qcow2'));
    assert.equal(await res.text(), 'data');
    const other = open(`s3://${S3_BUCKET}/a`, s3Env(s3.endpoint));
    assert.equal(await other.stat('x/y.qcow2'), undefined, 'another prefix sees nothing');
    assert.equal((await other.stat('b/x/y.qcow2'))?.size, 4);
    const aws = new S3ArtifactStore({ ...parseS3Url('s3://images/rel'), region: 'eu-west-1' });
    assert.equal(aws.url('base/1.0/disk+x.raw'), 'https://images.s3.eu-west-1.amazonaws.com/rel/base/1.0/disk%2Bx.raw');
    aws.client.destroy();
  });

  test('a missing bucket and a refused key are AppErrors with hints', async () => {
    const missing = open('s3://no-such-bucket/p', s3Env(s3.endpoint));
    await assert.rejects(missing.put('k', Buffer.from('x')), (e: { code?: string; hint?: string }) => {
      assert.equal(e.code, 'artifact.s3_no_bucket');
      assert.match(e.hint ?? '', /aws s3 mb s3:\/\/no-such-bucket/);
      return true;
    });
    await assert.rejects(missing.stat('k'), { code: 'artifact.s3_no_bucket' });
    await assert.rejects(missing.open('k'), { code: 'artifact.s3_no_bucket' });
    const denied = open(`s3://${S3_BUCKET}/p`, s3Env(s3.endpoint, 'WRONG-KEY'));
    await assert.rejects(denied.put('k', Buffer.from('x')), { code: 'artifact.s3_access_denied' });
    await assert.rejects(denied.stat('k'), { code: 'artifact.s3_access_denied' });
  });

  test('malformed locations are refused with a clear error, before anything is opened', () => {
    for (const bad of ['s3://', 's3://Bad_Bucket/x', 's3://bucket/../x', 's3://bucket/a//b', 's3://bucket/x?y=1', 's3:/bucket']) {
      assert.throws(() => serviceOptions({ data: '.herd', artifacts: bad }), { code: 'artifacts.bad_s3_url' }, bad);
    }
    assert.throws(() => checkArtifactsLocation('gs://bucket/x'), { code: 'artifacts.bad_location' });
    assert.throws(() => openArtifactStore('s3://herd/x', { HERD_S3_ENDPOINT: 'localhost:9000' }), { code: 'artifacts.bad_s3_endpoint' });
    assert.deepEqual(parseS3Url('s3://herd-images'), { bucket: 'herd-images', prefix: '' });
    assert.deepEqual(parseS3Url('s3://herd-images/releases/v2/'), { bucket: 'herd-images', prefix: 'releases/v2/' });
    assert.equal(serviceOptions({ data: '.herd', artifacts: 's3://herd-images/releases' }).artifacts, 's3://herd-images/releases');
  });
});
