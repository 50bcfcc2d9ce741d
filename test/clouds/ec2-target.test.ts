import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CopyImageCommand, EC2Client, RegisterImageCommand } from '@aws-sdk/client-ec2';
import { isAppError } from '../../src/errors.ts';
import { type Ec2TargetConfig, ec2Target } from '../../src/backends/clouds/ec2-target.ts';
import { type CloudTarget, type ImageSource, RetryableCloudError, type StepState } from '../../src/backends/clouds/cloud-target.ts';
import { FakeEc2Server } from './fake-ec2-server.ts';
import { S3rver } from '../helpers/s3rver.ts';

const BUCKET = 'herd-import';
const HOME = 'eu-west-1';
const REGIONS = [HOME, 'us-east-1', 'ap-southeast-2'];
const MiB = 1024 * 1024;

let s3Url = '';
let s3Dir = '';
let s3: { close(): Promise<void> };
let fake: FakeEc2Server;
const savedEnv = { ...process.env };
const AWS_CLI = awsCli();

/** The SDK default chain, pointed at s3rver's key (s3rver checks only the access key id) and nothing else. */
function setCredentials(env: Record<string, string | undefined>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/herd-aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/herd-aws-credentials',
  }, env);
}
const s3rverKeys = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

before(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'herd-ec2-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true, configureBuckets: [{ name: BUCKET }] });
  s3Url = `http://127.0.0.1:${(await server.run()).port}`;
  s3 = server;
  fake = await new FakeEc2Server({ regions: REGIONS, s3Endpoint: s3Url }).start();
  setCredentials(s3rverKeys);
});
after(async () => {
  await fake.stop();
  await s3.close();
  rmSync(s3Dir, { recursive: true, force: true });
  process.env = savedEnv;
});

let serial = 0;
/** A "raw disk" of random bytes, counting how often the upload opens it. */
function disk(size = 6 * MiB + 123): ImageSource & { opened: number; bytes: Buffer } {
  const bytes = randomBytes(size);
  const n = ++serial;
  const img = {
    releaseId: `rel-${n}-${process.pid}`, product: 'base', version: `2026.12.02.${n}`, arch: 'x86_64', format: 'raw', fileName: 'disk.raw',
    size, sha256: createHash('sha256').update(bytes).digest('hex'), name: `herd-base-2026.12.02.${n}-x86_64`,
    description: `Herd base 2026.12.02.${n}`, distro: { name: 'debian', version: '13' }, minDiskGiB: 1, opened: 0, bytes,
    async open() { img.opened++; return Readable.from(chunks(bytes)); },
  };
  return img;
}
function* chunks(b: Buffer) { for (let i = 0; i < b.length; i += 1 * MiB) yield b.subarray(i, i + MiB); }

function target(o: Partial<Ec2TargetConfig> = {}): CloudTarget {
  return ec2Target({
    name: 'aws-test', regions: REGIONS.slice(0, 2), bucket: BUCKET, prefix: 'herd/images', public: true,
    endpoints: { ec2: fake.url, s3: s3Url }, ...o,
  }, { pollIntervalMs: 1, partSizeBytes: 5 * MiB });
}

const signal = new AbortController().signal;

/**
 * What the runner does, reduced: steps in order, results merged into the state; a failing step stops its region's
 * later steps (the home region's failure stops everything). `crashAt` throws before step k's result is saved.
 */
async function runPlan(t: CloudTarget, image: ImageSource, state: StepState = {}, o: { crashAt?: number } = {}) {
  let s: Record<string, unknown> = { ...state };
  const failed = new Map<string, unknown>();
  const steps = t.plan(image);
  for (const [k, step] of steps.entries()) {
    if (failed.has(step.region) || failed.has(t.regions[0]!)) continue;
    try {
      const out = await step.run(s, signal);
      if (k === o.crashAt) return { state: s, failed, crashed: true };
      s = { ...s, ...out };
    } catch (e) {
      failed.set(step.region, e);
    }
  }
  return { state: s, failed, crashed: false };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  try { await p; } catch (e) {
    assert.ok(isAppError(e), `expected AppError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

async function s3Object(key: string): Promise<{ bytes: Buffer; sha?: string | null } | undefined> {
  const res = await fetch(`${s3Url}/${BUCKET}/${key}`);
  if (res.status !== 200) return undefined;
  return { bytes: Buffer.from(await res.arrayBuffer()), sha: res.headers.get('x-amz-meta-herd-sha256') };
}

describe('EC2 target against the fake EC2 API and s3rver', () => {
  let published: { image: ReturnType<typeof disk>; state: StepState };

  test('publishes a raw disk to two regions with every parameter EC2 requires', async () => {
    const t = target();
    const image = disk();
    await t.check(signal);
    const steps = t.plan(image);
    assert.deepEqual(steps.map((s) => `${s.id}@${s.region}`), [
      'upload@eu-west-1', 'import@eu-west-1', 'wait-import@eu-west-1', 'register@eu-west-1', 'wait:eu-west-1@eu-west-1',
      'copy:us-east-1@us-east-1', 'wait:us-east-1@us-east-1', 'share:eu-west-1@eu-west-1', 'share:us-east-1@us-east-1',
    ]);
    const { state, failed } = await runPlan(t, image);
    assert.equal(failed.size, 0, [...failed.values()].map(String).join('\n'));

    const key = `herd/images/${image.name}-${image.releaseId}.raw`;
    const obj = await s3Object(key);
    assert.ok(obj, 'the disk is in the bucket');
    assert.ok(obj.bytes.equals(image.bytes), 'the bytes in S3 are the disk');
    assert.equal(obj.sha, image.sha256);

    const [imp] = fake.callsOf('ImportSnapshot', HOME);
    assert.ok(imp);
    assert.equal(imp.params['DiskContainer.Format'], 'RAW');
    assert.equal(imp.params['DiskContainer.UserBucket.S3Bucket'], BUCKET);
    assert.equal(imp.params['DiskContainer.UserBucket.S3Key'], key);
    assert.match(imp.params.ClientToken ?? '', /^herd-[0-9a-f]{48}$/);
    const task = fake.tasks(HOME).find((x) => x.key === key)!;
    assert.equal(task.size, image.size, 'the fake read the object\'s size from s3rver');
    assert.equal(state.importTaskId, task.importTaskId);
    assert.equal(state.snapshotId, task.snapshotId);

    const reg = fake.callsOf('RegisterImage', HOME).at(-1)!.params;
    assert.deepEqual({
      name: reg.Name, arch: reg.Architecture, root: reg.RootDeviceName, dev: reg['BlockDeviceMapping.1.DeviceName'],
      snap: reg['BlockDeviceMapping.1.Ebs.SnapshotId'], del: reg['BlockDeviceMapping.1.Ebs.DeleteOnTermination'],
      vol: reg['BlockDeviceMapping.1.Ebs.VolumeType'], virt: reg.VirtualizationType, ena: reg.EnaSupport, boot: reg.BootMode,
      imds: reg.ImdsSupport, rt: reg['TagSpecification.1.ResourceType'],
    }, {
      name: image.name, arch: 'x86_64', root: '/dev/xvda', dev: '/dev/xvda', snap: task.snapshotId, del: 'true', vol: 'gp3', virt: 'hvm',
      ena: 'true', boot: 'uefi-preferred', imds: 'v2.0', rt: 'image',
    });
    const home = fake.images(HOME).find((i) => i.name === image.name)!;
    assert.deepEqual(home.tags, { 'herd:release': image.releaseId, 'herd:product': 'base', 'herd:version': image.version });

    const copy = fake.callsOf('CopyImage', 'us-east-1').at(-1)!.params;
    assert.equal(copy.SourceRegion, HOME);
    assert.equal(copy.SourceImageId, home.imageId);
    assert.equal(copy.Name, image.name);
    assert.match(copy.ClientToken ?? '', /^herd-/);
    assert.notEqual(copy.ClientToken, imp.params.ClientToken);
    const copied = fake.images('us-east-1').find((i) => i.name === image.name)!;
    assert.equal(copied.sourceImageId, home.imageId);
    assert.equal(copied.tags['herd:release'], image.releaseId, 'tags are copied');

    for (const img of [home, copied]) {
      assert.equal(img.state, 'available');
      assert.deepEqual([...img.launchGroups], ['all'], `${img.imageId} is public`);
    }
    assert.deepEqual(t.imageIds(state), { [HOME]: home.imageId, 'us-east-1': copied.imageId });
    assert.equal(fake.images('ap-southeast-2').length, 0, 'regions the target does not name are left alone');
    published = { image, state };
  });

  test('the real AWS CLI reads the published image from the fake', { skip: AWS_CLI ? false : 'no AWS CLI installed (/usr/bin/aws or aws on PATH); not installed on purpose' }, async () => {
    assert.ok(published, 'needs the publishing test');
    const ami = published.state['image:us-east-1'] as string;
    // Asynchronously: the fake answers from this process's event loop.
    const aws = async (...args: string[]) => JSON.parse((await promisify(execFile)(AWS_CLI!, [
      'ec2', ...args, '--endpoint-url', fake.url, '--region', 'us-east-1', '--output', 'json',
    ], { encoding: 'utf8', env: process.env, timeout: 60_000 })).stdout) as Record<string, unknown>;
    const { Images } = await aws('describe-images', '--image-ids', ami) as { Images: Record<string, unknown>[] };
    const img = Images[0]!;
    assert.equal(img.ImageId, ami);
    assert.equal(img.State, 'available');
    assert.equal(img.Name, published.image.name);
    assert.equal(img.Architecture, 'x86_64');
    assert.equal(img.EnaSupport, true);
    assert.equal(img.BootMode, 'uefi-preferred');
    assert.equal(img.ImdsSupport, 'v2.0');
    assert.equal(img.Public, true);
    const bdm = (img.BlockDeviceMappings as { DeviceName: string; Ebs: Record<string, unknown> }[])[0]!;
    assert.equal(bdm.DeviceName, '/dev/xvda');
    assert.equal(bdm.Ebs.VolumeType, 'gp3');
    assert.equal(bdm.Ebs.DeleteOnTermination, true);
    assert.ok((img.Tags as { Key: string; Value: string }[]).some((x) => x.Key === 'herd:release' && x.Value === published.image.releaseId));
    const attr = await aws('describe-image-attribute', '--image-id', ami, '--attribute', 'launchPermission');
    assert.deepEqual(attr.LaunchPermissions, [{ Group: 'all' }]);
  });

  test('a crash after any step, then a fresh target running every step again: one upload, one snapshot, one image per region', async () => {
    const count = target().plan(disk(1024)).length;
    for (let k = 0; k < count; k++) {
      const image = disk(2 * MiB + k);
      const first = await runPlan(target(), image, {}, { crashAt: k });
      assert.ok(first.crashed && first.failed.size === 0, `crash at step ${k}`);
      const again = await runPlan(target(), image, first.state);
      assert.equal(again.failed.size, 0, `after a crash at ${k}: ${[...again.failed.values()].map(String).join('\n')}`);
      const key = `herd/images/${image.name}-${image.releaseId}.raw`;
      assert.equal(image.opened, 1, `crash at ${k}: the disk is uploaded once`);
      const tasks = fake.tasks(HOME).filter((x) => x.key === key);
      assert.equal(tasks.length, 1, `crash at ${k}: one import task`);
      assert.equal(fake.snapshots(HOME).filter((s) => s.fromTask === tasks[0]!.importTaskId).length, 1, `crash at ${k}: one snapshot`);
      for (const r of REGIONS.slice(0, 2)) {
        const imgs = fake.images(r).filter((i) => i.name === image.name);
        assert.equal(imgs.length, 1, `crash at ${k}: one image in ${r}`);
        assert.equal(again.state[`image:${r}`], imgs[0]!.imageId);
        assert.ok(imgs[0]!.launchGroups.has('all'));
      }
      assert.deepEqual(Object.keys(target().imageIds(again.state)).sort(), ['eu-west-1', 'us-east-1']);
    }
  });

  test('throttling, 5xx and connection failures are RetryableCloudError; the next run finishes', async () => {
    const t = target();
    const image = disk(1 * MiB);
    const steps = t.plan(image);
    let state: StepState = {};
    for (const step of steps.slice(0, 2)) state = { ...state, ...await step.run(state, signal) };
    fake.inject('DescribeImportSnapshotTasks', { times: 1 }); // RequestLimitExceeded, 503
    const waitImport = steps[2]!;
    const throttled = await waitImport.run(state, signal).then(() => undefined, (e: unknown) => e);
    assert.ok(throttled instanceof RetryableCloudError, String(throttled));
    assert.match(throttled.message, /RequestLimitExceeded/);
    state = { ...state, ...await waitImport.run(state, signal) };
    fake.inject('RegisterImage', { status: 500, code: 'InternalError', message: 'An internal error has occurred' });
    const failed = await steps[3]!.run(state, signal).then(() => undefined, (e: unknown) => e);
    assert.ok(failed instanceof RetryableCloudError, String(failed));
    fake.inject('RegisterImage', { status: 503, code: 'Unavailable', message: 'The service is unavailable' });
    assert.ok(await steps[3]!.run(state, signal).then(() => undefined, (e: unknown) => e) instanceof RetryableCloudError);
    const rest = await runPlan(t, image, state);
    assert.equal(rest.failed.size, 0);
    assert.equal(fake.images(HOME).filter((i) => i.name === image.name).length, 1);

    const closed = await closedPort();
    const down = target({ endpoints: { ec2: `http://127.0.0.1:${closed}`, s3: s3Url } });
    const refused = await down.check(signal).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof RetryableCloudError, `a refused connection is retryable: ${String(refused)}`);
  });

  test('check refuses credentials EC2 rejects, missing credentials and a key S3 rejects, before anything is uploaded', async () => {
    const image = disk(1 * MiB);
    const importsBefore = fake.callsOf('ImportSnapshot').length;
    fake.refusedKeys.add('S3RVER');
    try {
      const e = await expectCode(target().check(signal), 'cloud.credentials');
      assert.match(e.message, /AuthFailure/);
    } finally { fake.refusedKeys.delete('S3RVER'); }

    setCredentials({});
    try {
      const e = await expectCode(target().check(signal), 'cloud.credentials');
      assert.match(e.message, /CredentialsProviderError|credentials/i);
    } finally { setCredentials(s3rverKeys); }

    setCredentials({ AWS_ACCESS_KEY_ID: 'NOT-S3RVER', AWS_SECRET_ACCESS_KEY: 'x' }); // EC2 (the fake) takes it, S3 does not
    try { await expectCode(target().check(signal), 'cloud.credentials'); } finally { setCredentials(s3rverKeys); }

    await expectCode(target({ bucket: 'no-such-bucket' }).check(signal), 'cloud.bucket_not_found');
    const unknownRegion = await expectCode(target({ regions: [HOME, 'zz-north-9'] }).check(signal), 'cloud.aws_failed');
    assert.match(unknownRegion.message, /zz-north-9/);
    await expectCode((async () => target({ regions: [HOME, 'mars-north'] }))(), 'cloud.bad_target');
    await expectCode((async () => target({ shareWith: ['12345'] }))(), 'cloud.bad_target');

    assert.equal(fake.callsOf('ImportSnapshot').length, importsBefore);
    assert.equal(await s3Object(`herd/images/${image.name}-${image.releaseId}.raw`), undefined);
    assert.equal(image.opened, 0);

    fake.inject('ImportSnapshot', { status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' });
    const t = target();
    const [upload, imp] = t.plan(image);
    const state = await upload!.run({}, signal);
    const e = await expectCode(imp!.run(state, signal), 'cloud.credentials');
    assert.match(e.message, /UnauthorizedOperation/);
  });

  test('one region\'s copy failing leaves the others published; a later run backfills it', async () => {
    const t = target({ regions: REGIONS });
    const image = disk(1 * MiB);
    fake.inject('CopyImage', { region: 'us-east-1', status: 400, code: 'InvalidRequest', message: 'Copy refused for the test', times: 1 });
    const first = await runPlan(t, image);
    assert.deepEqual([...first.failed.keys()], ['us-east-1']);
    const ids = t.imageIds(first.state);
    assert.deepEqual(Object.keys(ids).sort(), ['ap-southeast-2', 'eu-west-1']);
    assert.ok(fake.images(HOME).find((i) => i.imageId === ids[HOME])?.launchGroups.has('all'), 'the home image stays and is shared');
    assert.equal(fake.images('us-east-1').filter((i) => i.name === image.name).length, 0);
    const second = await runPlan(t, image, first.state);
    assert.equal(second.failed.size, 0);
    assert.deepEqual(Object.keys(t.imageIds(second.state)).sort(), ['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    for (const r of [HOME, 'ap-southeast-2']) assert.equal(second.state[`image:${r}`], ids[r], 'published ids never change');
  });

  test('retire deprecates the image in every region of the state; a second retire changes nothing', async () => {
    assert.ok(published, 'needs the publishing test');
    const t = target();
    const before = Date.now();
    await t.retire(published.state, signal);
    const calls = fake.callsOf('EnableImageDeprecation').length;
    for (const r of REGIONS.slice(0, 2)) {
      const img = fake.images(r).find((i) => i.imageId === published.state[`image:${r}`])!;
      assert.ok(img.deprecationTime, `deprecated in ${r}`);
      const at = Date.parse(img.deprecationTime);
      assert.ok(at > before && at <= before + 3 * 60_000, `within minutes: ${img.deprecationTime}`);
    }
    await target().retire(published.state, signal);
    assert.equal(fake.callsOf('EnableImageDeprecation').length, calls, 'already deprecated: not asked again');
    await target().retire({ ...published.state, 'image:us-east-1': 'ami-00000000000000000' }, signal); // deregistered since: skipped
  });

  test('an import EC2 cannot read fails wait-import with the task\'s message', async () => {
    const image = disk(1024);
    const [, imp, waitImport] = target().plan(image);
    const state = await imp!.run({ s3Key: 'herd/images/not-uploaded.raw' }, signal);
    const e = await expectCode(waitImport!.run(state, signal), 'cloud.import_failed');
    assert.match(e.message, /Unable to access the S3 object s3:\/\/herd-import\/herd\/images\/not-uploaded\.raw/);
  });

  test('a source whose bytes are not the release\'s fails the upload and leaves no object', async () => {
    const image = disk(1 * MiB);
    const bad = { ...image, sha256: '0'.repeat(64) };
    await expectCode(target().plan(bad)[0]!.run({}, signal), 'cloud.source_mismatch');
    assert.equal(await s3Object(`herd/images/${image.name}-${image.releaseId}.raw`), undefined);
  });
});

describe('the fake EC2 API answers like EC2', () => {
  const client = () => new EC2Client({ region: HOME, endpoint: fake.url, maxAttempts: 1 });

  test('RegisterImage with an unknown snapshot: InvalidSnapshot.NotFound, HTTP 400', async () => {
    const e = await client().send(new RegisterImageCommand({
      Name: 'x-unknown-snapshot', RootDeviceName: '/dev/xvda', VirtualizationType: 'hvm', Architecture: 'x86_64',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0123456789abcdef0' } }],
    })).then(() => undefined, (x: unknown) => x as { name: string; message: string; $metadata: { httpStatusCode: number } });
    assert.ok(e);
    assert.equal(e.name, 'InvalidSnapshot.NotFound');
    assert.equal(e.$metadata.httpStatusCode, 400);
    assert.match(e.message, /snap-0123456789abcdef0/);
  });

  test('RegisterImage without a name or root device: MissingParameter', async () => {
    const e = await client().send(new RegisterImageCommand({ Name: 'no-root-device' })).then(() => undefined, (x: unknown) => x as Error);
    assert.equal(e?.name, 'MissingParameter');
  });

  test('a ClientToken reused with other parameters: IdempotentParameterMismatch; with the same: the same image', async () => {
    const image = disk(1024);
    const t = target();
    const steps = t.plan(image);
    let state: StepState = {};
    for (const step of steps.slice(0, 5)) state = { ...state, ...await step.run(state, signal) };
    const copy = (Description: string) => new EC2Client({ region: 'us-east-1', endpoint: fake.url, maxAttempts: 1 }).send(new CopyImageCommand({
      SourceRegion: HOME, SourceImageId: state[`image:${HOME}`] as string, Name: `${image.name}-copy`, Description, ClientToken: `test-${image.name}`,
    }));
    const a = await copy('one');
    assert.equal((await copy('one')).ImageId, a.ImageId);
    const e = await copy('two').then(() => undefined, (x: unknown) => x as Error);
    assert.equal(e?.name, 'IdempotentParameterMismatch');
    assert.equal(fake.images('us-east-1').filter((i) => i.name === `${image.name}-copy`).length, 1);
  });

  test('a request without Authorization is refused with AuthFailure', async () => {
    const res = await fetch(fake.url, { method: 'POST', body: 'Action=DescribeRegions&Version=2016-11-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /<Code>AuthFailure<\/Code>/);
  });
});

/** The real AWS CLI (Debian's /usr/bin/aws, else one on PATH), looked up once before any server runs. */
function awsCli(): string | undefined {
  for (const cmd of ['/usr/bin/aws', 'aws']) {
    if (cmd.startsWith('/') && !existsSync(cmd)) continue;
    try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return cmd; } catch { /* not this one */ }
  }
  return undefined;
}

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
