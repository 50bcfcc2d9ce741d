import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ImageSource, StepState } from '../../src/backends/clouds/cloud-target.ts';
import { OpenStackTarget, type OpenStackTargetConfig } from '../../src/backends/clouds/openstack-target.ts';
import { isAppError } from '../../src/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { APP_CREDENTIAL, glanceInstalled, PROJECT, REGION, startGlance, USER, type GlanceServer } from './glance-server.ts';

const skip = glanceInstalled() ? false : 'glance-api is not installed (scripts/setup-host.sh installs Debian\'s glance package)';
const dir = tempDir('herd-openstack-test-');
const signal = new AbortController().signal;
let g: GlanceServer;
let cloudsYaml: string;

function source(releaseId: string, o: { bytes?: Buffer; format?: string; open?: () => Promise<Readable> } = {}): ImageSource & { bytes: Buffer } {
  const bytes = o.bytes ?? randomBytes(3 * 1024 * 1024);
  const file = join(dir, `${releaseId}.img`);
  writeFileSync(file, bytes);
  return {
    bytes, releaseId, product: 'cloud-base', version: '13.2.0', arch: 'x86_64', format: o.format ?? 'qcow2', fileName: `${releaseId}.qcow2`,
    size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), name: `herd-cloud-base-13.2.0-x86_64-${releaseId}`,
    description: 'test image', distro: { name: 'Debian', version: '13' }, minDiskGiB: 2,
    open: o.open ?? (async () => createReadStream(file)),
  };
}

function target(extra: Partial<OpenStackTargetConfig> = {}, env: NodeJS.ProcessEnv = {}): OpenStackTarget {
  return new OpenStackTarget({ name: 'os-test', cloud: 'herd-test', ...extra }, { env: { HOME: dir, ...env }, configPaths: [cloudsYaml], pollMs: 100, waitTimeoutMs: 30_000 });
}

/** Runs a plan's steps from `start`, merging what each returns; `crashAt` runs that step and then drops its result. */
async function run(t: OpenStackTarget, image: ImageSource, state: StepState = {}, o: { start?: number; crashAt?: number } = {}): Promise<StepState> {
  let s: Record<string, unknown> = { ...state };
  const steps = t.plan(image);
  for (let i = o.start ?? 0; i < steps.length; i++) {
    const out = await steps[i]!.run(s, signal);
    if (i === o.crashAt) return s;
    s = { ...s, ...out };
  }
  return s;
}

/** Glance's record of an image, read as a member of the project (not through the adapter). */
async function glanceImage(id: string, headers = g.identity()): Promise<Record<string, unknown>> {
  const r = await fetch(`${g.directUrl}/v2/images/${id}`, { headers });
  assert.equal(r.status, 200);
  return await r.json() as Record<string, unknown>;
}

async function imagesOfRelease(releaseId: string): Promise<Record<string, unknown>[]> {
  const r = await fetch(`${g.directUrl}/v2/images?herd_release=${releaseId}&visibility=all`, { headers: g.identity('admin,member,reader') });
  return (await r.json() as { images: Record<string, unknown>[] }).images;
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const count = (line: RegExp) => g.log.filter((l) => line.test(l)).length;

describe('OpenStack target against Debian\'s real Glance', { skip, timeout: 90_000 }, () => {
  before(async () => {
    g = await startGlance();
    cloudsYaml = join(dir, 'clouds.yaml');
    writeFileSync(cloudsYaml, `clouds:
  herd-test:
    auth:
      auth_url: ${g.keystoneUrl}
      username: ${USER.name}
      password: ${JSON.stringify(USER.password)}
      project_name: ${PROJECT.name}
      user_domain_name: ${USER.domain}
      project_domain_name: ${PROJECT.domain}
    region_name: ${REGION}
  wrong-password:
    auth:
      auth_url: ${g.keystoneUrl}
      username: ${USER.name}
      password: nope
      project_name: ${PROJECT.name}
`);
  });
  after(async () => { await g?.stop(); });

  test('publishes an image with its properties; Glance and the openstack CLI see it active with the right data', async () => {
    const t = target({ properties: { hw_firmware_type: 'uefi' } });
    assert.deepEqual(t.regions, [REGION]);
    await t.check(signal);
    const image = source('r-publish');
    const state = await run(t, image);
    const ids = t.imageIds(state);
    assert.deepEqual(Object.keys(ids), [REGION]);
    const img = await glanceImage(ids[REGION]!);
    assert.equal(img.status, 'active');
    assert.equal(img.disk_format, 'qcow2');
    assert.equal(img.container_format, 'bare');
    assert.equal(img.visibility, 'private');
    assert.equal(img.owner, PROJECT.id);
    assert.equal(img.min_disk, 2);
    assert.equal(img.size, image.size);
    assert.equal(img.os_hash_algo, 'sha512');
    assert.equal(img.os_hash_value, sha512(image.bytes));
    assert.equal(img.checksum, createHash('md5').update(image.bytes).digest('hex'));
    for (const [k, v] of Object.entries({ os_distro: 'debian', os_version: '13', hw_architecture: 'x86_64', architecture: 'x86_64', hw_disk_bus: 'virtio',
      hw_scsi_model: 'virtio-scsi', hw_firmware_type: 'uefi', herd_release: 'r-publish', herd_sha256: image.sha256 })) assert.equal(img[k], v, k);
    assert.equal(count(/^POST \/v2\/images$/), 1);

    // async: the noauth front the CLI talks to runs in this process
    const cli = JSON.parse((await promisify(execFile)('openstack', ['--os-auth-type', 'none', '--os-endpoint', g.noauthUrl, 'image', 'show', '-f', 'json', ids[REGION]!], {
      encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir }, timeout: 60_000,
    })).stdout) as Record<string, any>;
    assert.equal(cli.status, 'active');
    assert.equal(cli.name, image.name);
    assert.equal(cli.disk_format, 'qcow2');
    assert.equal(cli.visibility, 'private');
    assert.equal(cli.properties.herd_release, 'r-publish');
    assert.equal(cli.properties.os_hash_value, sha512(image.bytes));
  });

  test('a re-run after a crash at each step makes no second image and uploads nothing twice', async () => {
    for (const crashAt of [0, 1, 2]) {
      const image = source(`r-crash-${crashAt}`);
      const t = target();
      const puts = count(/^PUT .*\/file$/);
      const crashed = await run(t, image, {}, { crashAt });
      const state = await run(t, image, crashed, { start: crashAt });
      const images = await imagesOfRelease(image.releaseId);
      assert.equal(images.length, 1, `crash at step ${crashAt}`);
      assert.equal(t.imageIds(state)[REGION], images[0]!.id);
      assert.equal(images[0]!.os_hash_value, sha512(image.bytes));
      assert.equal(count(/^PUT .*\/file$/) - puts, 1, `one upload with a crash at step ${crashAt}`);
      // and the whole plan again from nothing (the state lost): the active image is found and nothing is sent
      const again = await run(t, image);
      assert.equal(t.imageIds(again)[REGION], images[0]!.id);
      assert.equal(count(/^PUT .*\/file$/) - puts, 1);
      assert.equal((await imagesOfRelease(image.releaseId)).length, 1);
    }
  });

  test('import: true stages and imports (glance-direct), with an application credential from OS_* variables', async () => {
    const env = { OS_AUTH_URL: `${g.keystoneUrl}/v3`, OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: APP_CREDENTIAL.id,
      OS_APPLICATION_CREDENTIAL_SECRET: APP_CREDENTIAL.secret, OS_REGION_NAME: REGION };
    const t = target({ cloud: undefined, import: true, visibility: 'community' }, env);
    const image = source('r-import', { format: 'raw' });
    const files = count(/^PUT .*\/file$/);
    const state = await run(t, image);
    const img = await glanceImage(t.imageIds(state)[REGION]!);
    assert.equal(img.status, 'active');
    assert.equal(img.disk_format, 'raw');
    assert.equal(img.visibility, 'community');
    assert.equal(img.os_hash_value, sha512(image.bytes));
    assert.equal(count(new RegExp(`^PUT /v2/images/${img.id}/stage$`)), 1);
    assert.equal(count(new RegExp(`^POST /v2/images/${img.id}/import$`)), 1);
    assert.equal(count(/^PUT .*\/file$/), files);
    await run(t, image);
    assert.equal(count(new RegExp(`^PUT /v2/images/${img.id}/stage$`)), 1, 'a re-run stages nothing');
  });

  test('an upload cut off mid-stream is sent again into the same image', async () => {
    const image = source('r-cut');
    let calls = 0;
    const cut: ImageSource = { ...image, open: async () => {
      calls++;
      if (calls > 1) return createReadStream(join(dir, 'r-cut.img'));
      // the first attempt dies after 1 MiB, as a crashed worker's upload would
      return Readable.from((async function* () { yield image.bytes.subarray(0, 1024 * 1024); throw new Error('worker died'); })());
    } };
    const t = target();
    const s1 = await run(t, cut, {}, { crashAt: 0 });
    const created = t.plan(cut)[0]!;
    const state = { ...s1, ...await created.run(s1, signal) };
    await assert.rejects(t.plan(cut)[1]!.run(state, signal));
    // Glance puts an image whose upload broke off back to queued (what the upload step relies on)
    assert.equal((await glanceImage(String(state.imageId))).status, 'queued');
    const after = await run(t, cut, state, { start: 1 });
    const img = await glanceImage(t.imageIds(after)[REGION]!);
    assert.equal(img.status, 'active');
    assert.equal(img.os_hash_value, sha512(image.bytes));
    assert.equal((await imagesOfRelease('r-cut')).length, 1);
  });

  test('check with a wrong password fails with cloud.credentials before anything is created', async () => {
    const before = g.log.length;
    const t = target({ cloud: 'wrong-password' });
    await assert.rejects(t.check(signal), (e) => {
      assert.ok(isAppError(e));
      assert.equal(e.code, 'cloud.credentials');
      assert.match(e.hint ?? '', /clouds\.yaml/);
      assert.match(e.hint ?? '', /OS_\*/);
      return true;
    });
    assert.equal(g.log.length, before, 'no request reached Glance');
    // no credentials at all: the same error, from check, not from the constructor
    const none = new OpenStackTarget({ name: 'bare' }, { env: { HOME: dir }, configPaths: [] });
    await assert.rejects(none.check(signal), { code: 'cloud.credentials' });
    // a token Glance refuses (revoked, expired): Glance's 401 becomes cloud.credentials too
    const noauthWrong = new OpenStackTarget({ name: 'raw' }, { env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: g.imageUrl } });
    await assert.rejects(noauthWrong.check(signal), { code: 'cloud.credentials' });
  });

  test('retire deactivates: a member\'s download is then refused; retiring twice is fine', async () => {
    const t = target();
    const image = source('r-retire', { bytes: randomBytes(256 * 1024) });
    const state = await run(t, image);
    const id = t.imageIds(state)[REGION]!;
    assert.equal((await fetch(`${g.directUrl}/v2/images/${id}/file`, { headers: g.identity() })).status, 200);
    await t.retire(state, signal);
    assert.equal((await glanceImage(id)).status, 'deactivated');
    const dl = await fetch(`${g.directUrl}/v2/images/${id}/file`, { headers: g.identity() });
    assert.equal(dl.status, 403);
    await t.retire(state, signal);
    assert.equal((await glanceImage(id)).status, 'deactivated');
    await t.retire({}, signal);
  });

  test('Glance answering 500 or 503, or not answering, is a RetryableCloudError; a retried upload still makes one image', async () => {
    const t = target();
    g.failNext(/^GET \/v2\/images\?limit=1$/, 500);
    await assert.rejects(t.check(signal), { code: 'cloud.retryable' });
    await t.check(signal);

    const image = source('r-503');
    const created = await t.plan(image)[0]!.run({}, signal);
    g.failNext(/^PUT .*\/file$/, 503);
    await assert.rejects(t.plan(image)[1]!.run(created, signal), { code: 'cloud.retryable' });
    const done = await run(t, image, created, { start: 1 });
    assert.equal((await glanceImage(t.imageIds(done)[REGION]!)).status, 'active');
    assert.equal((await imagesOfRelease('r-503')).length, 1);

    const port = await new Promise<number>((resolve) => { const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as AddressInfo).port; srv.close(() => resolve(p)); }); });
    const closed = new OpenStackTarget({ name: 'down' }, { env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: `http://127.0.0.1:${port}` } });
    await assert.rejects(closed.check(signal), { code: 'cloud.retryable' });
  });

  test('auth_type none with an explicit endpoint publishes (the admin of the noauth front may make it public)', async () => {
    const t = new OpenStackTarget({ name: 'noauth', visibility: 'public' }, { env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: `${g.noauthUrl}/v2/` }, pollMs: 100 });
    await t.check(signal);
    const image = source('r-noauth', { bytes: randomBytes(64 * 1024) });
    const state = await run(t, image);
    const img = await glanceImage(t.imageIds(state).default!);
    assert.equal(img.visibility, 'public');
    assert.equal(img.status, 'active');
  });

  test('a token Glance stops taking (expired, revoked) is replaced by a new one; the internal interface is chosen when asked', async () => {
    const t = target();
    await t.check(signal);
    g.revokeTokens();
    const state = await run(t, source('r-revoked', { bytes: randomBytes(64 * 1024) }));
    assert.equal((await glanceImage(t.imageIds(state)[REGION]!)).status, 'active');
    // the stand-in's internal endpoint is a closed port: choosing it shows the catalog lookup reads the interface
    await assert.rejects(target({ interface: 'internal' }).check(signal), { code: 'cloud.retryable' });
  });

  test('a region the catalog has no image endpoint for is a clear error', async () => {
    const t = target({ region: 'Atlantis' });
    await assert.rejects(t.check(signal), (e) => isAppError(e) && e.code === 'cloud.no_image_endpoint' && /RegionOne\/public/.test(e.message));
  });
});
