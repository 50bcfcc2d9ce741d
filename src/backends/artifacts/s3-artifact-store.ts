import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type HeadObjectCommandOutput, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../../errors.ts';
import {
  type ArtifactStore, type ByteRange, checkKey, clampRange, notFound, type ObjectInfo, type OpenedObject, type StoredObject,
} from './artifact-store.ts';

/** Where an `s3://bucket/prefix` URL points. `prefix` is empty or ends with `/`. */
export interface S3Location { bucket: string; prefix: string }

export interface S3StoreOptions extends S3Location {
  /** Custom endpoint (MinIO, Ceph, s3rver…); switches to path-style addressing. */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SEGMENT = /^[A-Za-z0-9._+:@-]+$/;
const URL_HINT = 'use s3://BUCKET or s3://BUCKET/PREFIX, e.g. --artifacts s3://herd-images/releases';

/** Anything starting with `s3:` is meant as S3 (so `s3:/bucket` is a malformed URL, not a directory). */
export function isS3Url(location: string): boolean { return /^s3:/i.test(location); }

/** Parses `s3://bucket[/prefix]`; throws `artifacts.bad_s3_url` for anything else. */
export function parseS3Url(url: string): S3Location {
  const bad = (why: string) => new AppError('artifacts.bad_s3_url', `${url} is not a valid S3 location: ${why}`, { hint: URL_HINT });
  const m = /^s3:\/\/([^/?#]*)(?:\/([^?#]*))?$/.exec(url);
  if (!m) throw bad('expected s3://BUCKET/PREFIX without query or fragment');
  const bucket = m[1] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) throw bad(`"${bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
  const path = (m[2] ?? '').replace(/\/+$/, '');
  if (path !== '' && !path.split('/').every((s) => s !== '.' && s !== '..' && SEGMENT.test(s))) {
    throw bad(`prefix "${path}" must be /-separated segments of letters, digits and ._+:@- (no empty, . or .. segments)`);
  }
  return { bucket, prefix: path === '' ? '' : `${path}/` };
}

/** Options from an `s3://` URL plus the standard AWS environment and `HERD_S3_ENDPOINT`. */
export function s3OptionsFromEnv(url: string, env: NodeJS.ProcessEnv = process.env): S3StoreOptions {
  const endpoint = env.HERD_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(endpoint)) {
    throw new AppError('artifacts.bad_s3_endpoint', `S3 endpoint ${endpoint} is not an http(s) URL`, {
      hint: 'set HERD_S3_ENDPOINT to e.g. http://127.0.0.1:9000, or unset it to use AWS',
    });
  }
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
    : undefined; // otherwise the SDK's default chain: AWS_PROFILE, SSO, instance or task role
  return { ...parseS3Url(url), endpoint: endpoint?.replace(/\/+$/, ''), region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1', credentials };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Artifacts as objects under `s3://bucket/prefix`. Uploads go through lib-storage (multipart above 8 MiB,
 * aborted on failure), so a reader sees the whole object or none; the size and sha256 are computed while streaming.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly client: S3Client;
  private bucketSeen = false;

  constructor(o: S3StoreOptions) {
    const loc = parseS3Url(`s3://${o.bucket}/${o.prefix}`);
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
    this.endpoint = o.endpoint;
    this.region = o.region ?? 'us-east-1';
    this.client = new S3Client({
      region: this.region,
      ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
      // The default (WHEN_SUPPORTED) sends streamed bodies aws-chunked with trailing checksums, which
      // S3-compatible servers such as s3rver store verbatim: a silently corrupted object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  static fromUrl(url: string, env: NodeJS.ProcessEnv = process.env): S3ArtifactStore {
    return new S3ArtifactStore(s3OptionsFromEnv(url, env));
  }

  private objectKey(key: string): string { return this.prefix + checkKey(key); }

  async put(key: string, source: Readable | Uint8Array): Promise<StoredObject> {
    const Key = this.objectKey(key);
    const hash = createHash('sha256');
    let size = 0;
    let sourceError: unknown;
    let body: Buffer | Transform;
    let piped: Promise<void> = Promise.resolve();
    if (source instanceof Uint8Array) {
      body = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      hash.update(body);
      size = body.length;
    } else {
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) { hash.update(chunk); size += chunk.length; done(null, chunk); },
      });
      body = counter;
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType: 'application/octet-stream' },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      leavePartsOnError: false, // a failed multipart upload is aborted, so no parts linger
    });
    let completed = false;
    let uploadFailed = false;
    try {
      const uploading = upload.done();
      if (body instanceof Transform) {
        const counter = body;
        // An upload that fails stops reading: unblock the source so the pipeline ends too.
        uploading.catch(() => { uploadFailed = true; counter.destroy(); });
        piped = pipeline(source as Readable, counter).catch((e) => { if (!uploadFailed) sourceError = e; });
      }
      await Promise.allSettled([uploading, piped]);
      await uploading;
      completed = true;
      if (sourceError) throw sourceError;
      // Guards against clients or servers that store something other than the bytes sent (see requestChecksumCalculation).
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      if (head.ContentLength !== size) {
        throw new Error(`the server stored ${head.ContentLength} bytes where ${size} were sent`);
      }
      this.bucketSeen = true;
    } catch (e) {
      if (body instanceof Transform) body.destroy();
      if (completed) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })).catch(() => undefined);
      const cause = sourceError ?? e;
      if (sourceError === undefined) {
        const known = this.classify(e, 'put');
        if (known) throw known;
      }
      if (cause instanceof AppError) throw cause;
      throw new AppError('artifact.write_failed', `cannot store artifact ${key} in s3://${this.bucket}/${this.prefix}: ${(cause as Error).message}`, {
        kind: 'dependency', cause, hint: sourceError ? 'the source failed while uploading; nothing was stored' : `check the bucket s3://${this.bucket} and the S3 endpoint`,
      });
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  private info(head: Pick<HeadObjectCommandOutput, 'ContentLength' | 'ETag' | 'LastModified'>): ObjectInfo {
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? '""', modified: head.LastModified ?? new Date(0) };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      this.bucketSeen = true;
      return this.info(head);
    } catch (e) {
      if (isNotFound(e)) {
        await this.ensureBucket(); // HEAD answers a bare 404 for a missing bucket too: tell them apart once
        return undefined;
      }
      throw this.classify(e, 'stat') ?? this.failed(e, `cannot stat artifact ${key}`);
    }
  }

  async open(key: string, range?: ByteRange): Promise<OpenedObject> {
    const Key = this.objectKey(key);
    for (let attempt = 0; ; attempt++) {
      const info = await this.stat(key);
      if (!info) throw notFound(key);
      const r = clampRange(info.size, range);
      try {
        const got = await this.client.send(new GetObjectCommand({
          Bucket: this.bucket, Key, IfMatch: info.etag, ...(info.size > 0 ? { Range: `bytes=${r.start}-${r.end}` } : {}),
        }));
        const body = got.Body instanceof Readable ? got.Body : Readable.from([]);
        return { ...info, body, range: r };
      } catch (e) {
        // Replaced or deleted between HEAD and GET: look again, so size, ETag and bytes always belong together.
        if ((isNotFound(e) || status(e) === 412) && attempt < 2) continue;
        if (isNotFound(e)) throw notFound(key);
        throw this.classify(e, 'open') ?? this.failed(e, `cannot read artifact ${key}`);
      }
    }
  }

  url(key: string): string {
    const path = this.objectKey(key).split('/').map(encodeURIComponent).join('/');
    if (this.endpoint) return `${this.endpoint}/${this.bucket}/${path}`;
    // Dotted bucket names break the virtual-host TLS certificate, so they use path style.
    return this.bucket.includes('.')
      ? `https://s3.${this.region}.amazonaws.com/${this.bucket}/${path}`
      : `https://${this.bucket}.s3.${this.region}.amazonaws.com/${path}`;
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      if (isNotFound(e) && !isNoSuchBucket(e)) return;
      throw this.classify(e, 'delete') ?? this.failed(e, `cannot delete artifact ${key}`);
    }
  }

  /** Throws `artifact.s3_no_bucket` (or another classified error) unless the bucket is reachable. */
  async ensureBucket(): Promise<void> {
    if (this.bucketSeen) return;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      this.bucketSeen = true;
    } catch (e) {
      if (isNotFound(e)) throw this.noBucket(e);
      throw this.classify(e, 'check') ?? this.failed(e, `cannot reach bucket s3://${this.bucket}`);
    }
  }

  private where(): string { return `s3://${this.bucket}/${this.prefix}${this.endpoint ? ` at ${this.endpoint}` : ''}`; }

  private noBucket(cause: unknown): AppError {
    return new AppError('artifact.s3_no_bucket', `the S3 bucket ${this.bucket} does not exist${this.endpoint ? ` at ${this.endpoint}` : ''}`, {
      kind: 'dependency', cause, hint: `create it (aws s3 mb s3://${this.bucket}) or point --artifacts at an existing bucket`,
    });
  }

  /** The S3 failures users can act on, with a stable code and a hint; undefined for anything else. */
  private classify(e: unknown, op: string): AppError | undefined {
    if (e instanceof AppError) return e;
    const name = (e as { name?: string })?.name ?? '';
    if (isNoSuchBucket(e)) return this.noBucket(e);
    if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken', 'InvalidToken'].includes(name) || status(e) === 403) {
      return new AppError('artifact.s3_access_denied', `S3 refused to ${op} in ${this.where()}: ${name || 'access denied'}`, {
        kind: 'dependency', cause: e,
        hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and that the policy allows s3:GetObject, s3:PutObject and s3:DeleteObject on the prefix',
      });
    }
    if (name === 'CredentialsProviderError') {
      return new AppError('artifact.s3_no_credentials', `no AWS credentials found for ${this.where()}`, {
        kind: 'dependency', cause: e, hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance role',
      });
    }
    const code = (e as { code?: string })?.code ?? ((e as { cause?: { code?: string } })?.cause?.code);
    if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError') {
      return new AppError('artifact.s3_unreachable', `cannot reach S3 for ${this.where()}: ${(e as Error).message || code}`, {
        kind: 'dependency', cause: e, hint: this.endpoint ? `check that ${this.endpoint} (HERD_S3_ENDPOINT) is up` : 'check the network and AWS_REGION',
      });
    }
    return undefined;
  }

  private failed(e: unknown, what: string): AppError {
    return new AppError('artifact.s3_failed', `${what} in ${this.where()}: ${(e as Error).message ?? String(e)}`, {
      kind: 'dependency', cause: e, hint: 'see the S3 error above; check the endpoint, bucket and credentials',
    });
  }
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNoSuchBucket(e: unknown): boolean {
  return (e as { name?: string })?.name === 'NoSuchBucket';
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' || status(e) === 404;
}
