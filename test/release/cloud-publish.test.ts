import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CloudTarget, credentialsError, type ImageSource, type PublishStep, RetryableCloudError, type StepState } from '../../src/backends/clouds/cloud-target.ts';
import { type CloudPublishReport, publishToCloud, retireFromCloud } from '../../src/release/cloud-publish.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { revokeRelease } from '../../src/release/release-actions.ts';
import { listCloudImages } from '../../src/store/cloud-images.ts';
import { getDocument } from '../../src/store/documents.ts';
import { publicationSteps } from '../../src/store/cloud-publications.ts';
import type { Release } from '../../src/store/releases.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

/**
 * The cloud publishing runner (issue #12) against an in-memory cloud that keeps state like a real one (images by
 * name, so a repeated step is seen, not duplicated) and fails on demand: throttling, a region that refuses, a
 * crash between the cloud acting and the runner recording it. Each adapter is tested against its own server
 * under test/clouds/.
 */
class FakeCloud {
  uploads = 0;
  /** region → image name → id */
  images = new Map<string, Map<string, string>>();
  calls: string[] = [];
  throttle = new Map<string, number>();
  refuse = new Set<string>();
  /** Abort this controller right after the named step acted in the cloud (a crash before the runner records it). */
  crashAfter?: { step: string; controller: AbortController };
  retired: string[] = [];
  credentialsOk = true;
  uploaded?: { size: number; sha256: string; format: string };

  target(regions = ['home-1', 'west-2', 'east-3']): CloudTarget {
    const cloud = this;
    const act = async (step: string, signal: AbortSignal, f: () => Promise<Record<string, unknown>> | Record<string, unknown>) => {
      cloud.calls.push(step);
      const left = cloud.throttle.get(step) ?? 0;
      if (left > 0) {
        cloud.throttle.set(step, left - 1);
        throw new RetryableCloudError(`${step}: RequestLimitExceeded`);
      }
      if (cloud.refuse.has(step)) throw new Error(`${step}: InvalidParameterValue (refused by the cloud)`);
      const r = await f();
      if (cloud.crashAfter?.step === step) cloud.crashAfter.controller.abort(new Error('crash'));
      signal.throwIfAborted();
      return r;
    };
    const idIn = (region: string, name: string) => {
      const m = cloud.images.get(region) ?? new Map<string, string>();
      cloud.images.set(region, m);
      if (!m.has(name)) m.set(name, `img-${region}-${m.size + 1}`);
      return m.get(name)!;
    };
    return {
      name: 'fake', platform: 'aws', formats: ['raw', 'qcow2'], regions,
      async check() { if (!cloud.credentialsOk) throw credentialsError('fake', 'the cloud refused the credentials', 'set AWS_PROFILE'); },
      plan(image: ImageSource): PublishStep[] {
        return [
          { id: 'upload', region: regions[0]!, run: (_s, signal) => act('upload', signal, async () => {
            const h = createHash('sha256');
            let size = 0;
            for await (const c of await image.open()) { h.update(c as Buffer); size += (c as Buffer).length; }
            cloud.uploads++;
            cloud.uploaded = { size, sha256: h.digest('hex'), format: image.format };
            return { object: `s3://bucket/${image.name}` };
          }) },
          { id: 'register', region: regions[0]!, run: (s, signal) => act('register', signal, () => {
            assert.ok(s.object, 'register sees what upload recorded');
            return { images: { [regions[0]!]: idIn(regions[0]!, image.name) } };
          }) },
          ...regions.slice(1).map((r) => ({ id: `copy:${r}`, region: r, run: (s: StepState, signal: AbortSignal) => act(`copy:${r}`, signal, () => {
            assert.ok((s.images as Record<string, string>)[regions[0]!], 'a copy sees the home image');
            return { images: { [r]: idIn(r, image.name) } };
          }) })),
        ];
      },
      imageIds: (s) => ({ ...(s.images as Record<string, string> | undefined) }),
      async retire(s) { cloud.retired.push(...Object.values(s.images as Record<string, string>)); },
    };
  }
}

const FAST = { attempts: 4, baseMs: 1, maxMs: 5 };

describe('publishing a release to a cloud: a resumable state machine', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let n = 0;
  const release = async (o: Parameters<typeof writeBuildOutput>[1] = {}): Promise<Release> =>
    publishRelease(env.svc, writeBuildOutput(join(env.dir, `b${++n}`), { name: 'base', seed: `s${n}`, formats: ['qcow2', 'raw'], ...o }));
  const regionsOf = (r: CloudPublishReport) => r.regions.map((x) => [x.region, x.status, x.imageId ?? x.error?.slice(0, 40)]);

  before(async () => { env = await makeServices('herd-cloud-pub-'); });
  after(async () => { await env?.cleanup(); });

  test('every region published, the ids in the release and the feed; a second run does nothing and changes nothing', async () => {
    const cloud = new FakeCloud();
    const raw = Buffer.alloc(3 * 1024 * 1024 + 17, 'disk');
    const xz = execFileSync('xz', ['-c', '-0'], { input: raw });
    const sha = createHash('sha256').update(raw).digest('hex');
    // the EC2 variant (its cloud-init reads EC2's metadata) is chosen over the generic disks, and unpacked to raw
    const r = await release({ formats: ['qcow2', 'raw', 'ec2'], bodies: { ec2: { bytes: xz, uncompressedSha256: sha } } });
    const first = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
    assert.deepEqual([first.from, first.variant, first.format], ['ec2', true, 'raw']);
    assert.deepEqual(regionsOf(first), [['home-1', 'published', 'img-home-1-1'], ['west-2', 'published', 'img-west-2-1'], ['east-3', 'published', 'img-east-3-1']]);
    assert.deepEqual(first.ran, ['upload', 'register', 'copy:west-2', 'copy:east-3']);
    assert.deepEqual(cloud.uploaded, { size: raw.length, sha256: sha, format: 'raw' }, 'a target that takes raw gets the packed variant unpacked and checked');
    assert.deepEqual((await listCloudImages(env.svc.store.db, [r.id])).map((i) => [i.platform, i.region, i.imageId]),
      [['aws', 'east-3', 'img-east-3-1'], ['aws', 'home-1', 'img-home-1-1'], ['aws', 'west-2', 'img-west-2-1']]);
    const feed = JSON.parse(Buffer.from((await getDocument(env.svc.store.db, 'feeds/testing.json'))!.body).toString('utf8'));
    assert.ok(JSON.stringify(feed.products.base).includes('img-west-2-1'), 'the feed lists the image per region');
    const again = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
    assert.deepEqual([again.ran, cloud.uploads, regionsOf(again)], [[], 1, regionsOf(first)]);
  });

  test('throttling is retried with backoff; a region the cloud refuses fails alone and is backfilled by a later run', async () => {
    const cloud = new FakeCloud();
    const r = await release();
    const lines: string[] = [];
    cloud.throttle.set('register', 2);
    cloud.refuse.add('copy:east-3');
    const report = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST, log: (l) => lines.push(l) });
    assert.deepEqual([report.from, report.variant], ['raw', false], 'no EC2 variant: the generic raw disk');
    assert.ok(lines.some((l) => /no ec2 variant: publishing the generic raw disk, whose cloud-init reads only NoCloud/.test(l)), lines.join('\n'));
    assert.deepEqual(regionsOf(report).map((x) => x.slice(0, 2)), [['home-1', 'published'], ['west-2', 'published'], ['east-3', 'failed']]);
    assert.equal(report.regions[2]!.step, 'copy:east-3');
    assert.match(report.regions[2]!.error!, /refused by the cloud/);
    const steps = await publicationSteps(env.svc.store.db, r.id, 'fake');
    assert.equal(steps.find((s) => s.step === 'register')!.attempts, 3, 'two throttled tries, then success');
    assert.equal(steps.find((s) => s.step === 'copy:east-3')!.attempts, 1, 'a refusal is not retried');
    cloud.refuse.clear();
    const later = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
    assert.deepEqual(later.ran, ['copy:east-3']);
    assert.deepEqual(regionsOf(later).map((x) => x[1]), ['published', 'published', 'published']);
    assert.equal(later.regions[1]!.imageId, report.regions[1]!.imageId, 'a published region keeps its id');
  });

  test('throttling past the retry limit fails the step; the home region failing skips the others', async () => {
    const cloud = new FakeCloud();
    const r = await release();
    cloud.throttle.set('register', 99);
    const report = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
    assert.deepEqual(regionsOf(report).map((x) => x.slice(0, 2)), [['home-1', 'failed'], ['west-2', 'skipped'], ['east-3', 'skipped']]);
    assert.equal(cloud.calls.filter((c) => c === 'register').length, FAST.attempts);
    assert.equal(cloud.calls.some((c) => c.startsWith('copy:')), false);
    assert.deepEqual(await listCloudImages(env.svc.store.db, [r.id]), []);
  });

  test('a crash after the cloud acted but before the step was recorded: the next run repeats only that step, which finds its image', async () => {
    for (const step of ['upload', 'register', 'copy:west-2']) {
      const cloud = new FakeCloud();
      const r = await release();
      const controller = new AbortController();
      cloud.crashAfter = { step, controller };
      await assert.rejects(publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST, signal: controller.signal }));
      cloud.crashAfter = undefined;
      const resumed = await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
      assert.equal(resumed.ran[0], step, `resumes at ${step}`);
      assert.deepEqual(regionsOf(resumed).map((x) => x[1]), ['published', 'published', 'published'], step);
      for (const [region, m] of cloud.images) assert.equal(m.size, 1, `one image in ${region} after a crash at ${step}`);
    }
  });

  test('credentials are checked before anything is uploaded; unpublished, revoked and unknown releases are refused', async () => {
    const cloud = new FakeCloud();
    cloud.credentialsOk = false;
    const r = await release();
    await assert.rejects(publishToCloud(env.svc, r.id, cloud.target()), (e: Error & { code?: string; hint?: string }) => e.code === 'cloud.credentials' && /AWS_PROFILE/.test(e.hint ?? ''));
    assert.deepEqual([cloud.calls, await publicationSteps(env.svc.store.db, r.id, 'fake')], [[], []]);
    await revokeRelease(env.svc, r.id, 'bad image');
    await assert.rejects(publishToCloud(env.svc, r.id, new FakeCloud().target()), (e: Error & { code?: string }) => e.code === 'cloud.revoked');
    await assert.rejects(publishToCloud(env.svc, '00000000-0000-4000-8000-000000000000', new FakeCloud().target()), (e: Error & { code?: string }) => e.code === 'cloud.unknown_release');
  });

  test('a format the release lacks is a clear error; a raw.xz that unpacks to other bytes is refused', async () => {
    const vmdkOnly = await release({ formats: ['vmdk'] });
    const t = { ...new FakeCloud().target(), formats: ['raw'] };
    await assert.rejects(publishToCloud(env.svc, vmdkOnly.id, t), (e: Error & { code?: string; hint?: string }) => e.code === 'cloud.no_format' && /vmdk/.test(e.hint ?? ''));
    const xz = execFileSync('xz', ['-c', '-0'], { input: Buffer.from('one disk') });
    const lying = await release({ formats: ['ec2'], bodies: { ec2: { bytes: xz, uncompressedSha256: 'f'.repeat(64) } } });
    await assert.rejects(publishToCloud(env.svc, lying.id, t), (e: Error & { code?: string }) => e.code === 'cloud.unpack_mismatch');
    const damaged = await release({ formats: ['raw.xz'] });
    await assert.rejects(publishToCloud(env.svc, damaged.id, t), (e: Error & { code?: string }) => e.code === 'cloud.unpack_failed' && /File format not recognized/.test(e.message));
  });

  test('retire: the target deprecates every image the publication made', async () => {
    const cloud = new FakeCloud();
    const r = await release();
    await assert.rejects(retireFromCloud(env.svc, r.id, cloud.target()), (e: Error & { code?: string }) => e.code === 'cloud.not_published');
    await publishToCloud(env.svc, r.id, cloud.target(), { retry: FAST });
    const out = await retireFromCloud(env.svc, r.id, cloud.target());
    assert.deepEqual(out.regions.sort(), ['east-3', 'home-1', 'west-2']);
    assert.deepEqual(cloud.retired.sort(), ['img-east-3-1', 'img-home-1-1', 'img-west-2-1']);
  });
});
