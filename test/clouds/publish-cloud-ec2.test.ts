import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ec2Target } from '../../src/backends/clouds/ec2-target.ts';
import { publishToCloud } from '../../src/release/cloud-publish.ts';
import { readTargets } from '../../src/release/cloud-targets.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { TARGET_KINDS } from '../../src/release/target-kinds.ts';
import { listCloudImages } from '../../src/store/cloud-images.ts';
import { getDocument } from '../../src/store/documents.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { FakeEc2Server } from './fake-ec2-server.ts';
import { S3rver } from '../helpers/s3rver.ts';

/**
 * The runner and the EC2 adapter together (issue #12), against the protocol-level EC2 fake and a real s3rver: the
 * EC2 variant of a release (raw.xz, unpacked and checked) becomes an AMI in every region, the ids land in the
 * release and the feed; EC2 throttling is retried by the runner; a region that fails is backfilled by a later run.
 */
describe('publishing a release to EC2 (fake EC2 API, real s3rver)', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let s3: { close(): Promise<void> };
  let s3Dir: string;
  let s3Url: string;
  let fake: FakeEc2Server;
  const saved = { ...process.env };
  const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];

  before(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'herd-pc-ec2-s3-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true, configureBuckets: [{ name: 'herd-import' }] });
    s3Url = `http://127.0.0.1:${(await server.run()).port}`;
    s3 = server;
    fake = await new FakeEc2Server({ regions: REGIONS, s3Endpoint: s3Url }).start();
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/s', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    env = await makeServices('herd-pc-ec2-');
  });
  after(async () => {
    process.env = saved;
    await env?.cleanup();
    await fake?.stop();
    await s3?.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  test('the targets file declares an aws target whose settings are checked', () => {
    const file = join(env.dir, 'targets.yaml');
    writeFileSync(file, `targets:\n  aws-prod:\n    kind: aws\n    regions: [${REGIONS.join(', ')}]\n    bucket: herd-import\n    share-with: ["123456789012"]\n`);
    const [t] = readTargets(file, TARGET_KINDS);
    assert.deepEqual([t!.name, t!.kind, t!.create().regions, t!.create().platform], ['aws-prod', 'aws', REGIONS, 'aws']);
    writeFileSync(file, 'targets:\n  aws-prod:\n    kind: aws\n    regions: [EU_WEST]\n    bucket: herd-import\n    share-with: ["12"]\n    secret-access-key: x\n');
    assert.throws(() => readTargets(file, TARGET_KINDS), (e: Error & { details?: Array<{ path: string }> }) =>
      JSON.stringify(e.details!.map((i) => i.path)) === JSON.stringify(['targets.aws-prod.regions[0]', 'targets.aws-prod.share-with[0]', 'targets.aws-prod.secret-access-key']));
  });

  test('the EC2 variant becomes an AMI in every region; throttling is retried; a failed region is backfilled; ids in the feed', async () => {
    const raw = Buffer.alloc(6 * 1024 * 1024 + 7, 'ec2-disk');
    const sha = createHash('sha256').update(raw).digest('hex');
    const r = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), {
      name: 'base', version: '2026.12.02.0', formats: ['qcow2', 'ec2'], bodies: { ec2: { bytes: execFileSync('xz', ['-c', '-0'], { input: raw }), uncompressedSha256: sha } },
    }));
    const target = () => ec2Target({ name: 'aws-prod', regions: REGIONS, bucket: 'herd-import', endpoints: { ec2: fake.url, s3: s3Url } }, { pollIntervalMs: 1, partSizeBytes: 5 * 1024 * 1024 });
    fake.inject('RegisterImage', { times: 2 });
    fake.inject('CopyImage', { region: 'ap-southeast-2', times: 10, status: 400, code: 'InvalidParameterValue', message: 'refused in this test' });
    const retry = { attempts: 4, baseMs: 1, maxMs: 5 };
    const first = await publishToCloud(env.svc, r.id, target(), { retry });
    assert.deepEqual([first.from, first.variant, first.format], ['ec2', true, 'raw']);
    assert.deepEqual(first.regions.map((x) => [x.region, x.status]), [['eu-west-1', 'published'], ['us-east-1', 'published'], ['ap-southeast-2', 'failed']]);
    assert.equal(fake.callsOf('RegisterImage').length, 3, 'two throttled, then registered');
    fake.clearInjections();
    const later = await publishToCloud(env.svc, r.id, target(), { retry });
    assert.deepEqual(later.regions.map((x) => x.status), ['published', 'published', 'published']);
    assert.equal(fake.callsOf('ImportSnapshot').length, 1, 'the disk was imported once');
    assert.deepEqual(later.regions.slice(0, 2).map((x) => x.imageId), first.regions.slice(0, 2).map((x) => x.imageId), 'published ids do not change');
    const recorded = (await listCloudImages(env.svc.store.db, [r.id])).map((i) => [i.platform, i.region, i.imageId]);
    assert.deepEqual(recorded.sort(), later.regions.map((x) => ['aws', x.region, x.imageId!]).sort());
    const feed = Buffer.from((await getDocument(env.svc.store.db, 'feeds/testing.json'))!.body).toString('utf8');
    for (const x of later.regions) assert.ok(feed.includes(x.imageId!), `${x.region} in the feed`);
  });

  test('another Herd service publishing the same version in the account never takes over this one\'s AMI', async () => {
    const other = await makeServices('herd-pc-ec2-other-');
    try {
      const r = await publishRelease(other.svc, writeBuildOutput(join(other.dir, 'b1'), { name: 'base', version: '2026.12.02.0', formats: ['raw'], seed: 'other' }));
      const t = ec2Target({ name: 'aws-prod', regions: REGIONS.slice(0, 1), bucket: 'herd-import', endpoints: { ec2: fake.url, s3: s3Url } }, { pollIntervalMs: 1, partSizeBytes: 5 * 1024 * 1024 });
      const report = await publishToCloud(other.svc, r.id, t, { retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
      assert.equal(report.regions[0]!.status, 'failed');
      assert.equal(report.regions[0]!.step, 'register');
      assert.match(report.regions[0]!.error!, /cloud\.image_conflict.*already has an image named herd-base-2026\.12\.02\.0-x86_64/);
      assert.deepEqual(await listCloudImages(other.svc.store.db, [r.id]), []);
    } finally {
      await other.cleanup();
    }
  });
});
