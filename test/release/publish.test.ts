import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import type { ArtifactStore } from '../../src/backends/artifacts/artifact-store.ts';
import { readKeyring } from '../../src/keys/keyring.ts';
import { verifyDetached } from '../../src/keys/verify-signature.ts';
import { HerdFeed } from '../../src/release/feeds/herd-feed.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { promoteRelease, revokeRelease } from '../../src/release/release-actions.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { getDocument, listDocuments } from '../../src/store/documents.ts';
import { listArtifacts } from '../../src/store/artifacts.ts';
import { listReleases } from '../../src/store/releases.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
}

describe('herd publish', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let svc: ReleaseServices;
  before(async () => { env = await makeServices(); svc = env.svc; });
  after(async () => { await env.cleanup(); });

  /** Artifact keys name the publishing attempt's release id: read them from the release's rows. */
  const keyOf = async (productId: string, format: string) => {
    const [r] = await listReleases(svc.store.db, { productId, state: 'published' });
    return (await listArtifacts(svc.store.db, [r!.id])).find((a) => a.format === format)!.location;
  };
  const feed = async (channel: string) => HerdFeed.parse(JSON.parse((await getDocument(svc.store.db, `feeds/${channel}.json`))!.body));

  test('a build output folder becomes a signed release in the testing feed', async () => {
    const out = writeBuildOutput(join(env.dir, 'out1'), { version: '2026.11.25.0' });
    const release = await publishRelease(svc, out);
    assert.equal(release.state, 'published');
    const doc = (await getDocument(svc.store.db, 'feeds/testing.json'))!;
    const sig = (await getDocument(svc.store.db, 'feeds/testing.json.asc'))!;
    await verifyDetached(new TextEncoder().encode(doc.body), sig.body, await readKeyring(join(env.dir, 'data', 'keys')), 'feed');
    const f = await feed('testing');
    assert.equal(f.products.base?.release, '2026.11.25.0');
    const disk = f.products.base?.architectures.x86_64?.artifacts.qemu?.formats.qcow2?.disk;
    assert.equal(disk?.location, `https://images.example.org/artifacts/base/2026.11.25.0/x86_64/${release.id}/disk.qcow2`);
    assert.equal(disk?.sha256, JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).outputs[0].sha256);
    assert.deepEqual(Object.keys((await feed('stable')).products), []);
  });

  test('each stored artifact carries a signature over the stored bytes', async () => {
    const key = await keyOf('base', 'qcow2');
    const sig = await text((await svc.artifacts.open(`${key}.asc`)).body);
    const fpr = await verifyDetached((await svc.artifacts.open(key)).body, sig, await readKeyring(join(env.dir, 'data', 'keys')), key);
    assert.equal(fpr, (await svc.signer()).fingerprint);
  });

  test('the Fedora CoreOS stream and simplestreams documents use their own formats', async () => {
    const stream = JSON.parse((await getDocument(svc.store.db, 'coreos/base/streams/testing.json'))!.body);
    assert.equal(stream.stream, 'testing');
    assert.match(stream.metadata['last-modified'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const metal = stream.architectures.x86_64.artifacts.metal;
    assert.equal(metal.release, '2026.11.25.0');
    assert.deepEqual(Object.keys(metal.formats['raw.xz'].disk).sort(), ['location', 'sha256', 'signature']);
    const index = JSON.parse((await getDocument(svc.store.db, 'streams/v1/index.json'))!.body);
    assert.equal(index.format, 'index:1.0');
    const entry = index.index['org.herd.cloud:testing:download'];
    assert.deepEqual(entry.products, ['org.herd.cloud:base:x86_64']);
    const products = JSON.parse((await getDocument(svc.store.db, entry.path))!.body);
    const item = products.products['org.herd.cloud:base:x86_64'].versions['2026.11.25.0'].items['disk1.img'];
    assert.equal(item.path, `artifacts/${await keyOf('base', 'qcow2')}`);
    assert.equal(products.products['org.herd.cloud:base:x86_64'].arch, 'amd64');
  });

  test('promote moves the release to stable; revoke removes it and says why; generations grow', async () => {
    const [r] = await listReleases(svc.store.db, { productId: 'base' });
    const g0 = (await feed('stable')).generation;
    await promoteRelease(svc, r!.id, 'stable');
    const stable = await feed('stable');
    assert.ok(stable.generation > g0);
    assert.equal(stable.products.base?.release, '2026.11.25.0');
    assert.equal((await feed('testing')).products.base, undefined);
    await revokeRelease(svc, r!.id, 'CVE-2026-0001 in openssl');
    const after = await feed('stable');
    assert.equal(after.products.base, undefined);
    assert.deepEqual(after.revoked.map((x) => [x.version, x.reason]), [['2026.11.25.0', 'CVE-2026-0001 in openssl']]);
    assert.equal(await getDocument(svc.store.db, 'coreos/base/streams/stable.json'), undefined);
    const rel = JSON.parse((await getDocument(svc.store.db, 'releases/stable.json'))!.body);
    assert.equal(rel.releases[0].revoked.reason, 'CVE-2026-0001 in openssl');
  });

  test('a signing failure publishes nothing and leaves no artifacts behind', async () => {
    const before = await listDocuments(svc.store.db);
    const real = await svc.signer();
    let calls = 0;
    const broken = { ...svc, signer: async () => ({ fingerprint: real.fingerprint, sign: async (d: any) => { if (++calls === 3) throw new Error('HSM unplugged'); return real.sign(d); } }) };
    await assert.rejects(publishRelease(broken, writeBuildOutput(join(env.dir, 'out-sign'), { name: 'web', seed: 'b' })), /HSM unplugged/);
    assert.deepEqual(await listReleases(svc.store.db, { productId: 'web' }), []);
    assert.deepEqual(await listDocuments(svc.store.db), before);
    assert.deepEqual(filesUnder(join(env.dir, 'data', 'artifacts', 'web')), []);
  });

  test('a failure signing the feed itself rolls the release back too', async () => {
    const before = await listDocuments(svc.store.db);
    const real = await svc.signer();
    const broken = { ...svc, signer: async () => ({ fingerprint: real.fingerprint, sign: async (d: any) => { if (d instanceof Uint8Array && d.length < 20000 && new TextDecoder().decode(d).includes('herd.stream-feed')) throw new Error('feed key refused'); return real.sign(d); } }) };
    await assert.rejects(publishRelease(broken, writeBuildOutput(join(env.dir, 'out-feed'), { name: 'web', seed: 'c' })), /feed key refused/);
    assert.deepEqual(await listReleases(svc.store.db, { productId: 'web' }), []);
    assert.deepEqual(await listDocuments(svc.store.db), before);
  });

  test('a storage failure publishes nothing and removes the artifacts already stored', async () => {
    const before = await listDocuments(svc.store.db);
    const keys: string[] = [];
    const store: ArtifactStore = Object.create(svc.artifacts);
    store.put = async (key, source) => {
      if (key.endsWith('disk.raw.xz')) throw new Error('bucket full');
      keys.push(key);
      return svc.artifacts.put(key, source);
    };
    await assert.rejects(publishRelease({ ...svc, artifacts: store }, writeBuildOutput(join(env.dir, 'out-store'), { name: 'web', seed: 'd' })), /bucket full/);
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.equal(await svc.artifacts.stat(k), undefined, k);
    assert.deepEqual(await listReleases(svc.store.db, { productId: 'web' }), []);
    assert.deepEqual(await listDocuments(svc.store.db), before);
  });

  test('bad build output is refused with the file, the field and a hint', async () => {
    const out = writeBuildOutput(join(env.dir, 'out-bad'), { name: 'web', seed: 'e' });
    writeFileSync(join(out, 'disk.qcow2'), 'tampered');
    await assert.rejects(publishRelease(svc, out), (e: any) => e.code === 'publish.size_mismatch' && e.message.includes('outputs[0] (disk.qcow2)') && Boolean(e.hint));
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...m, outputs: [{ ...m.outputs[0], file: '../etc/passwd' }], architecture: undefined }));
    await assert.rejects(publishRelease(svc, out), (e: any) => e.code === 'publish.bad_manifest' && /architecture/.test(e.message) && /outputs\.0\.file/.test(e.message));
    await assert.rejects(publishRelease(svc, join(env.dir, 'nope')), { code: 'publish.missing_file' });
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...m, schemaVersion: 9 }));
    await assert.rejects(publishRelease(svc, out), { code: 'publish.manifest_version' });
  });

  test('versions are allocated per day when the manifest has none', async () => {
    const a = await publishRelease(svc, writeBuildOutput(join(env.dir, 'out-v1'), { name: 'web', seed: 'f' }));
    const b = await publishRelease(svc, writeBuildOutput(join(env.dir, 'out-v2'), { name: 'web', seed: 'g' }));
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '.');
    assert.deepEqual([a.version, b.version], [`${day}.0`, `${day}.1`]);
    assert.equal((await feed('testing')).products.web?.release, `${day}.1`);
  });

  test('a build whose QA failed is refused; a passed one publishes', async () => {
    const failed = writeBuildOutput(join(env.dir, 'out-qa-failed'), { name: 'qa', seed: 'q1' });
    const m = JSON.parse(readFileSync(join(failed, 'manifest.json'), 'utf8'));
    writeFileSync(join(failed, 'manifest.json'), JSON.stringify({ ...m, qa: { ...m.qa, passed: false, failed: ['B3', 'A7'] } }));
    await assert.rejects(publishRelease(svc, failed), (e: any) => e.code === 'publish.qa_failed' && /B3, A7/.test(e.message));
    await assert.rejects(publishRelease(svc, failed, { allowUntested: true }), { code: 'publish.qa_failed' });
    assert.equal((await feed('testing')).products.qa, undefined);
    const passed = writeBuildOutput(join(env.dir, 'out-qa-passed'), { name: 'qa', seed: 'q2' });
    const r = await publishRelease(svc, passed);
    assert.equal(r.state, 'published');
    assert.equal(r.untested, false);
  });
});
