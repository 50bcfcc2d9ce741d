import type { Readable } from 'node:stream';
import { AppError } from '../../errors.ts';

/**
 * One image file of a published release, as a cloud target uploads it. The caller opens it from the artifact
 * store (a fresh stream per call: an upload that is retried or resumed reads it again).
 */
export interface ImageSource {
  releaseId: string;
  product: string;
  version: string;
  /** x86_64 or aarch64 (each target maps it to its own word: EC2 x86_64/arm64, Glance hw_architecture). */
  arch: string;
  format: string;
  fileName: string;
  size: number;
  sha256: string;
  /** The image's name in the cloud, unique per release: `herd-<product>-<version>-<arch>`. */
  name: string;
  description: string;
  /** For properties such as Glance's os_distro/os_version and EC2 tags. */
  distro: { name: string; version: string };
  /** Smallest disk the image needs, in GiB (the raw disk's size rounded up). */
  minDiskGiB: number;
  open(): Promise<Readable>;
}

/** What the steps of one publication have recorded so far (JSON; persisted after every step). */
export type StepState = Readonly<Record<string, unknown>>;

/**
 * One idempotent step of publishing an image to a target. It receives everything earlier steps of the same
 * (release, target) recorded, and returns what it adds. Run twice (a crash after the cloud acted but before the
 * state was saved), it must find what it did instead of doing it again: EC2 ClientToken, lookups by name or tag,
 * "already exists" answers taken as success.
 */
export interface PublishStep {
  /** Stable, persisted: `upload`, `import`, `register`, `copy:eu-west-1`, `share:eu-west-1`. */
  id: string;
  /** The region whose image the step makes; a failure stops only that region's later steps. */
  region: string;
  run(state: StepState, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/**
 * A cloud (or mirror) images are published to. Contract (test/clouds/cloud-target.contract.ts, run on every adapter
 * against its server on 127.0.0.1):
 * - `check` fails fast with `cloud.credentials` before anything is uploaded when credentials are missing or refused;
 * - `plan`'s steps, run in order, publish the image; run again from any point after a crash they finish it
 *   without making a second image; every region's image id is then in `imageIds`;
 * - `retire` deprecates (EC2, GCE) or deactivates (Glance) the images a state names, and can be run twice.
 */
export interface CloudTarget {
  /** The target's name in the targets file. */
  readonly name: string;
  /** The platform id of the feed this target's images are listed under: aws, openstack, gcp. */
  readonly platform: string;
  /** Formats of a release this target takes, best first. */
  readonly formats: readonly string[];
  /** Regions, the home region (where the image is uploaded and registered) first. */
  readonly regions: readonly string[];
  check(signal: AbortSignal): Promise<void>;
  plan(image: ImageSource): PublishStep[];
  /** Each region's image id, from a publication's state, for the regions whose image is ready. */
  imageIds(state: StepState): Record<string, string>;
  retire(state: StepState, signal: AbortSignal): Promise<void>;
}

/**
 * A failure worth retrying with backoff (throttling, HTTP 5xx, a connection reset); anything else ends the step at
 * once. Adapters wrap their client's errors with this.
 */
export class RetryableCloudError extends AppError {
  constructor(message: string, o: { hint?: string; cause?: unknown; retryAfterMs?: number } = {}) {
    super('cloud.retryable', message, { kind: 'dependency', hint: o.hint ?? 'the cloud is throttling or failing; herd retries with backoff', cause: o.cause,
      details: o.retryAfterMs === undefined ? undefined : { retryAfterMs: o.retryAfterMs } });
  }
}

export function credentialsError(target: string, why: string, hint: string): AppError {
  return new AppError('cloud.credentials', `target ${target}: ${why}`, { kind: 'unauthenticated', hint });
}
