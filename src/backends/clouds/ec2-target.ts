import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CopyImageCommand, DescribeImagesCommand, DescribeImportSnapshotTasksCommand, DescribeRegionsCommand, EC2Client,
  EnableImageDeprecationCommand, type Image, ImportSnapshotCommand, ModifyImageAttributeCommand, RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../../errors.ts';
import { awsErrorName, awsStatus, mapAwsError } from './aws-errors.ts';
import type { CloudTarget, ImageSource, PublishStep, StepState } from './cloud-target.ts';

export interface Ec2TargetConfig {
  name: string;
  /** The home region (where the disk is imported and registered) first; the image is copied to the others. */
  regions: string[];
  /** S3 bucket in the home region the disk is uploaded to for ImportSnapshot. */
  bucket: string;
  /** Key prefix in the bucket ('' or 'a/b'); the disk goes to `<prefix>/<image name>.<format>`. */
  prefix?: string;
  /** Launch permission for everyone (group all). */
  public?: boolean;
  /** Account ids (12 digits) the images are shared with. */
  shareWith?: string[];
  /** For tests and private clouds: EC2 endpoint (every region) and S3 endpoint (path style). */
  endpoints?: { ec2?: string; s3?: string };
}

export interface Ec2TargetDeps {
  /** Between polls of import tasks and image states (default 15 s). */
  pollIntervalMs?: number;
  /** Give up waiting (retryably: the next run waits again) after this long (default 3 h). */
  maxWaitMs?: number;
  now?: () => Date;
  /** Multipart part size for the upload (default 16 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCOUNT = /^\d{12}$/;
const ARCH: Record<string, string> = { x86_64: 'x86_64', amd64: 'x86_64', aarch64: 'arm64', arm64: 'arm64' };
/** What ImportSnapshot takes, by Herd format (best first). */
const DISK_FORMAT: Record<string, string> = { raw: 'RAW', vmdk: 'VMDK' };
const ROOT_DEVICE = '/dev/xvda';

function badConfig(name: string, why: string): AppError {
  return new AppError('cloud.bad_target', `target ${name}: ${why}`, { hint: 'fix the aws target in the targets file' });
}

function checkConfig(c: Ec2TargetConfig): void {
  if (c.regions.length === 0) throw badConfig(c.name, 'needs at least one region');
  for (const r of c.regions) if (!REGION.test(r)) throw badConfig(c.name, `"${r}" is not an AWS region name (e.g. eu-west-1)`);
  if (new Set(c.regions).size !== c.regions.length) throw badConfig(c.name, 'a region is listed twice');
  if (!BUCKET.test(c.bucket)) throw badConfig(c.name, `"${c.bucket}" is not an S3 bucket name`);
  for (const a of c.shareWith ?? []) if (!ACCOUNT.test(a)) throw badConfig(c.name, `"${a}" is not an AWS account id (12 digits)`);
}

/** A ClientToken (at most 64 ASCII characters) that is the same for the same release, target, image and action. */
function clientToken(target: string, image: ImageSource, action: string): string {
  return 'herd-' + createHash('sha256').update(JSON.stringify([target, image.releaseId, image.name, action])).digest('hex').slice(0, 48);
}

/** EC2 rounds DeprecateAt to the minute and refuses the past: the next whole minute after the next one. */
function deprecateAt(now: Date): Date {
  return new Date((Math.floor(now.getTime() / 60_000) + 2) * 60_000);
}

export function ec2Target(config: Ec2TargetConfig, deps: Ec2TargetDeps = {}): CloudTarget {
  checkConfig(config);
  const name = config.name;
  const home = config.regions[0]!;
  const prefix = (config.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const pollMs = deps.pollIntervalMs ?? 15_000;
  const maxWaitMs = deps.maxWaitMs ?? 3 * 3600_000;
  const now = deps.now ?? (() => new Date());
  const ec2Clients = new Map<string, EC2Client>();
  let s3: S3Client | undefined;

  // No credentials option: only the SDK default chain. One attempt per call: the runner retries with backoff.
  const ec2 = (region: string): EC2Client => {
    let c = ec2Clients.get(region);
    if (!c) {
      c = new EC2Client({ region, maxAttempts: 1, ...(config.endpoints?.ec2 ? { endpoint: config.endpoints.ec2 } : {}) });
      ec2Clients.set(region, c);
    }
    return c;
  };
  const s3Client = (): S3Client => s3 ??= new S3Client({
    region: home,
    ...(config.endpoints?.s3 ? { endpoint: config.endpoints.s3, forcePathStyle: true } : {}),
    // Streamed bodies otherwise go aws-chunked with trailing checksums, which S3-compatible servers may store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  async function call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try { return await f(); } catch (e) { throw mapAwsError(name, what, e); }
  }

  /** Polls until `done` returns a value; a wait that outlasts maxWaitMs is retryable (the next run polls again). */
  async function poll<T>(what: string, signal: AbortSignal, once: () => Promise<T | undefined>): Promise<T> {
    const started = Date.now();
    for (;;) {
      const got = await once();
      if (got !== undefined) return got;
      if (Date.now() - started > maxWaitMs) {
        throw mapAwsError(name, what, Object.assign(new Error(`still not done after ${Math.round(maxWaitMs / 60_000)} min`), { name: 'TimeoutError' }));
      }
      await sleep(pollMs, undefined, { signal });
    }
  }

  /**
   * This release's image of that name in the region, if an earlier run made it. Names repeat across Herd services
   * sharing an account (versions are dates), so an image of the name that another release made is a conflict, never
   * taken over; one that failed or was deregistered is passed over.
   */
  async function findImageByName(region: string, imageName: string, releaseId: string, signal: AbortSignal): Promise<Image | undefined> {
    const out = await call(`DescribeImages name=${imageName} in ${region}`, () => ec2(region).send(new DescribeImagesCommand({
      Owners: ['self'], Filters: [{ Name: 'name', Values: [imageName] }],
    }), { abortSignal: signal }));
    const live = (out.Images ?? []).filter((i) => !['failed', 'error', 'invalid', 'deregistered'].includes(String(i.State)));
    const found = live[0];
    const owner = found?.Tags?.find((t) => t.Key === 'herd:release')?.Value;
    if (found && owner !== releaseId) {
      throw new AppError('cloud.image_conflict', `target ${name}: ${region} already has an image named ${imageName} (${found.ImageId}) made for ${owner ? `release ${owner}` : 'something else'}`, {
        kind: 'conflict', hint: 'another Herd service (or a person) uses this name in the account: deregister that image, or publish from one service per account',
      });
    }
    return found;
  }

  async function describeImage(region: string, imageId: string, signal: AbortSignal): Promise<Image | undefined> {
    try {
      const out = await ec2(region).send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: signal });
      return out.Images?.[0];
    } catch (e) {
      if (awsErrorName(e) === 'InvalidAMIID.NotFound') return undefined;
      throw mapAwsError(name, `DescribeImages ${imageId} in ${region}`, e);
    }
  }

  function need(state: StepState, key: string): string {
    const v = state[key];
    if (typeof v !== 'string') throw new AppError('cloud.step_order', `target ${name}: no ${key} recorded by an earlier step`, { kind: 'internal' });
    return v;
  }

  function plan(image: ImageSource): PublishStep[] {
    const diskFormat = DISK_FORMAT[image.format];
    if (!diskFormat) throw badConfig(name, `EC2 imports ${Object.keys(DISK_FORMAT).join(' or ')} disks, not ${image.format}`);
    const arch = ARCH[image.arch];
    if (!arch) throw badConfig(name, `EC2 has no architecture for ${image.arch}`);
    // the release id in the key: two services (or targets) publishing one version never overwrite each other's upload
    const key = `${prefix ? prefix + '/' : ''}${image.name}-${image.releaseId}.${image.format}`;
    const tags = [
      { Key: 'herd:release', Value: image.releaseId }, { Key: 'herd:product', Value: image.product }, { Key: 'herd:version', Value: image.version },
    ];

    const upload: PublishStep = {
      id: 'upload', region: home,
      async run(_state, signal) {
        const s3c = s3Client();
        const found = await s3c.send(new HeadObjectCommand({ Bucket: config.bucket, Key: key }), { abortSignal: signal }).catch((e) => {
          if (awsStatus(e) === 404 || awsErrorName(e) === 'NotFound') return undefined;
          throw mapAwsError(name, `HeadObject s3://${config.bucket}/${key}`, e);
        });
        if (found?.ContentLength === image.size && found.Metadata?.['herd-sha256'] === image.sha256) return { s3Key: key };
        // The bytes are hashed on the way: a source that is not the release's file fails the upload, which is then aborted.
        const hash = createHash('sha256');
        let size = 0;
        const check = new Transform({
          transform(chunk: Buffer, _enc, done) { hash.update(chunk); size += chunk.length; done(null, chunk); },
          flush(done) {
            const sha = hash.digest('hex');
            done(size === image.size && sha === image.sha256 ? null
              : new AppError('cloud.source_mismatch', `${image.fileName} read ${size} bytes with sha256 ${sha}, the release says ${image.size} bytes, ${image.sha256}`, { kind: 'internal' }));
          },
        });
        const up = new Upload({
          client: s3c, partSize: deps.partSizeBytes ?? 16 * 1024 * 1024, queueSize: 4, leavePartsOnError: false,
          params: { Bucket: config.bucket, Key: key, Body: check, ContentType: 'application/octet-stream', Metadata: { 'herd-sha256': image.sha256 } },
        });
        const onAbort = () => { void up.abort(); };
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          const source = await image.open();
          const uploading = up.done();
          // An upload that fails stops reading: end the pipeline too instead of leaving it blocked.
          uploading.catch(() => check.destroy());
          const [p, u] = await Promise.allSettled([pipeline(source, check), uploading]);
          // The source's own failure (a mismatch) first; a pipeline cut short by a failed upload reports the upload's.
          if (p.status === 'rejected' && (p.reason instanceof AppError || u.status === 'fulfilled')) throw p.reason;
          if (u.status === 'rejected') throw u.reason;
        } catch (e) {
          throw mapAwsError(name, `upload to s3://${config.bucket}/${key}`, e);
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
        return { s3Key: key };
      },
    };

    const importStep: PublishStep = {
      id: 'import', region: home,
      async run(state, signal) {
        // The same ClientToken gives back the task of an earlier run instead of a second import.
        const out = await call('ImportSnapshot', () => ec2(home).send(new ImportSnapshotCommand({
          ClientToken: clientToken(name, image, 'import'),
          Description: image.description,
          DiskContainer: { Description: image.name, Format: diskFormat, UserBucket: { S3Bucket: config.bucket, S3Key: need(state, 's3Key') } },
          TagSpecifications: [{ ResourceType: 'import-snapshot-task', Tags: tags }],
        }), { abortSignal: signal }));
        if (!out.ImportTaskId) throw mapAwsError(name, 'ImportSnapshot', new Error('no ImportTaskId in the answer'));
        return { importTaskId: out.ImportTaskId };
      },
    };

    const waitImport: PublishStep = {
      id: 'wait-import', region: home,
      async run(state, signal) {
        const taskId = need(state, 'importTaskId');
        const snapshotId = await poll(`import task ${taskId}`, signal, async () => {
          const out = await call(`DescribeImportSnapshotTasks ${taskId}`, () => ec2(home).send(
            new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [taskId] }), { abortSignal: signal }));
          const d = out.ImportSnapshotTasks?.[0]?.SnapshotTaskDetail;
          if (d?.Status === 'completed' && d.SnapshotId) return d.SnapshotId;
          if (d?.Status === 'deleted' || d?.Status === 'deleting' || !d) {
            throw new AppError('cloud.import_failed', `target ${name}: EC2 import task ${taskId} failed: ${d?.StatusMessage ?? 'task not found'}`, {
              kind: 'dependency',
              hint: 'EC2 could not import the disk (see the message: the vmimport service role, the S3 object, the disk format); '
                + 'after fixing it, reset this publication so that it imports again',
            });
          }
          return undefined;
        });
        return { snapshotId };
      },
    };

    const register: PublishStep = {
      id: 'register', region: home,
      async run(state, signal) {
        // RegisterImage has no ClientToken: the name (unique per account and region) is what finds an earlier run's image.
        const existing = await findImageByName(home, image.name, image.releaseId, signal);
        if (existing?.ImageId) return { [`image:${home}`]: existing.ImageId };
        try {
          const out = await ec2(home).send(new RegisterImageCommand({
            Name: image.name, Description: image.description, Architecture: arch as 'x86_64',
            RootDeviceName: ROOT_DEVICE, VirtualizationType: 'hvm', EnaSupport: true, BootMode: 'uefi-preferred', ImdsSupport: 'v2.0',
            BlockDeviceMappings: [{
              DeviceName: ROOT_DEVICE,
              Ebs: { SnapshotId: need(state, 'snapshotId'), DeleteOnTermination: true, VolumeType: 'gp3', VolumeSize: Math.max(1, image.minDiskGiB) },
            }],
            TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
          }), { abortSignal: signal });
          return { [`image:${home}`]: out.ImageId };
        } catch (e) {
          if (awsErrorName(e) === 'InvalidAMIName.Duplicate') {
            const again = await findImageByName(home, image.name, image.releaseId, signal);
            if (again?.ImageId) return { [`image:${home}`]: again.ImageId };
          }
          throw mapAwsError(name, `RegisterImage ${image.name} in ${home}`, e);
        }
      },
    };

    const wait = (region: string): PublishStep => ({
      id: `wait:${region}`, region,
      async run(state, signal) {
        const imageId = need(state, `image:${region}`);
        await poll(`image ${imageId} in ${region}`, signal, async () => {
          const img = await describeImage(region, imageId, signal);
          if (img?.State === 'available') return true;
          if (!img || img.State === 'failed' || img.State === 'error' || img.State === 'invalid' || img.State === 'deregistered') {
            throw new AppError('cloud.image_failed', `target ${name}: image ${imageId} in ${region} is ${img?.State ?? 'gone'}`
              + (img?.StateReason?.Message ? `: ${img.StateReason.Message}` : ''), {
              kind: 'dependency', hint: 'deregister it in that region and reset the region\'s steps, so that the next run makes it again',
            });
          }
          return undefined;
        });
        return { [`available:${region}`]: true };
      },
    });

    const copy = (region: string): PublishStep => ({
      id: `copy:${region}`, region,
      async run(state, signal) {
        const existing = await findImageByName(region, image.name, image.releaseId, signal);
        if (existing?.ImageId) return { [`image:${region}`]: existing.ImageId };
        const out = await call(`CopyImage to ${region}`, () => ec2(region).send(new CopyImageCommand({
          SourceRegion: home, SourceImageId: need(state, `image:${home}`), Name: image.name, Description: image.description,
          ClientToken: clientToken(name, image, `copy:${region}`), CopyImageTags: true,
        }), { abortSignal: signal }));
        return { [`image:${region}`]: out.ImageId };
      },
    });

    const share = (region: string): PublishStep => ({
      id: `share:${region}`, region,
      async run(state, signal) {
        const imageId = need(state, `image:${region}`);
        const add = config.public ? [{ Group: 'all' as const }] : (config.shareWith ?? []).map((UserId) => ({ UserId }));
        // Adding a permission that is already there is a no-op for EC2, so this step can run again as it is.
        if (add.length > 0) {
          await call(`ModifyImageAttribute ${imageId} in ${region}`, () => ec2(region).send(new ModifyImageAttributeCommand({
            ImageId: imageId, LaunchPermission: { Add: add },
          }), { abortSignal: signal }));
        }
        return { [`shared:${region}`]: true };
      },
    });

    const others = config.regions.slice(1);
    return [
      upload, importStep, waitImport, register, wait(home),
      ...others.flatMap((r) => [copy(r), wait(r)]),
      ...config.regions.map(share),
    ];
  }

  return {
    name, platform: 'aws', formats: Object.keys(DISK_FORMAT), regions: config.regions,

    async check(signal) {
      const out = await call(`DescribeRegions in ${home}`, () => ec2(home).send(new DescribeRegionsCommand({
        RegionNames: config.regions, AllRegions: true,
      }), { abortSignal: signal }));
      const off = (out.Regions ?? []).filter((r) => r.OptInStatus === 'not-opted-in').map((r) => r.RegionName);
      if (off.length > 0) {
        throw new AppError('cloud.region_disabled', `target ${name}: the account has not enabled ${off.join(', ')}`, {
          kind: 'dependency', hint: 'enable the regions in the AWS account settings, or remove them from the target',
        });
      }
      try {
        await s3Client().send(new HeadBucketCommand({ Bucket: config.bucket }), { abortSignal: signal });
      } catch (e) {
        if (awsStatus(e) === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') {
          throw new AppError('cloud.bucket_not_found', `target ${name}: S3 bucket ${config.bucket} does not exist`, {
            kind: 'dependency', hint: `create it in ${home}, the target's home region, or fix the bucket name`,
          });
        }
        throw mapAwsError(name, `HeadBucket ${config.bucket}`, e);
      }
    },

    plan,

    imageIds(state) {
      const ids: Record<string, string> = {};
      for (const r of config.regions) {
        const id = state[`image:${r}`];
        if (typeof id === 'string' && state[`available:${r}`] === true && state[`shared:${r}`] === true) ids[r] = id;
      }
      return ids;
    },

    async retire(state, signal) {
      const at = deprecateAt(now());
      for (const region of config.regions) {
        const imageId = state[`image:${region}`];
        if (typeof imageId !== 'string') continue;
        const img = await describeImage(region, imageId, signal);
        if (!img) continue; // deregistered already: nothing left to deprecate
        if (img.DeprecationTime && Date.parse(img.DeprecationTime) <= at.getTime()) continue;
        await call(`EnableImageDeprecation ${imageId} in ${region}`, () => ec2(region).send(new EnableImageDeprecationCommand({
          ImageId: imageId, DeprecateAt: at,
        }), { abortSignal: signal }));
      }
    },
  };
}
