import type { Generated } from 'kysely';

/**
 * Row types for the one schema both SQLite and PostgreSQL hold. Times are ISO-8601 UTC strings
 * (`Date#toISOString`), so they compare correctly as text on both dialects; JSON is stored as text.
 */
export interface ProductTable {
  id: string;
  title: string;
  description: string;
  recipe_path: string | null;
  created_at: string;
}

export type ReleaseState = 'pending' | 'published' | 'failed';

export interface ReleaseTable {
  id: string;
  product_id: string;
  version: string;
  channel: string;
  state: ReleaseState;
  recipe_digest: string;
  /** JSON array of {name, version, arch}: what the image holds, so two releases can be diffed. */
  packages: string;
  created_at: string;
  published_at: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** Who is publishing a pending release (a job id, or `cli:<host>:<pid>`); its attempt alone may discard it. */
  owner: string | null;
  /** Heartbeat of the publishing attempt; a pending release not touched for a while is stale (gc removes it). */
  touched_at: string | null;
  /** 1 when published with --allow-untested (no QA record): marked in every feed, never promoted to stable. */
  untested: number;
  /** JSON of the manifest's QA record, and the QA report it binds (stored with the release). */
  qa_record: string | null;
  qa_report: string | null;
  /** size-report.json of the build, as published (checked against the manifest's sha256); null when the build had none. */
  size_report: string | null;
}

export interface ArtifactTable {
  id: string;
  release_id: string;
  arch: string;
  format: string;
  file_name: string;
  /** Key in the artifact store. */
  location: string;
  size: number;
  sha256: string;
  uncompressed_sha256: string | null;
  /** Key of the detached armored OpenPGP signature in the artifact store. */
  signature: string;
  created_at: string;
}

/** A release's changelog against the release before it, written once when it is published (issue #11). */
export interface ReleaseChangelogTable {
  release_id: string;
  /** The previous release compared with; null for a product's first release. */
  against_id: string | null;
  /** ChangelogSummary as JSON: small, read for every release a feed lists. */
  summary: string;
  /** The whole ReleaseChangelog as JSON (entries included): read for one release at a time. */
  changelog: string;
  created_at: string;
}

export interface CloudImageTable {
  release_id: string;
  arch: string;
  platform: string;
  region: string;
  image_id: string;
  created_at: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobTable {
  id: string;
  kind: string;
  /** JSON; every payload carries its own `v` version field. */
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  worker_id: string | null;
  run_after: string;
  heartbeat_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: string | null;
  error: string | null;
}

export interface JobEventTable {
  id: Generated<number>;
  job_id: string;
  at: string;
  type: string;
  data: string;
}

export interface FeedStateTable {
  channel: string;
  generation: number;
}

/** Published documents (feeds, indexes) served as they are; `path` is the URL path under /. */
export interface DocumentTable {
  path: string;
  body: string;
  content_type: string;
  etag: string;
  updated_at: string;
}

/** API tokens: the secret itself is never stored, only its sha256 (hex). */
export interface TokenTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Operator settings configured once (the public URL) and read by every process. */
export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

/** Portal accounts: the password only as an scrypt string (src/store/passwords.ts). */
export interface AccountTable {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

/** Signed-in portal sessions: the cookie's secret is never stored, only its sha256 (hex). */
export interface SessionTable {
  id: string;
  account_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

/** Who did what, for sign-ins, reviews, promotions and revocations; append-only. */
export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** JSON object. */
  detail: string;
}

export type TemplateCheckState = 'pending' | 'running' | 'passed' | 'failed';
export type TemplateVerdict = 'approve' | 'request_changes';

/** A community recipe of the template library; `author` is who submitted it (src/library/review-policy.ts: actorOf). */
export interface TemplateTable {
  id: string;
  slug: string;
  title: string;
  description: string;
  author: string;
  /** Id of the official catalogue recipe it extends, if any. */
  extends: string | null;
  created_at: string;
  updated_at: string;
}

/** One submitted text of a template, numbered from 1; its check is a build job (build, boot test, size budget). */
export interface TemplateRevisionTable {
  id: string;
  template_id: string;
  number: number;
  recipe_text: string;
  /** sha256 (hex) of recipe_text: what a review binds to. */
  digest: string;
  created_at: string;
  check_job_id: string | null;
  check_state: TemplateCheckState;
  /** JSON of the check's outcome (src/library/template-check.ts CheckDetail), once the job ended. */
  check_detail: string | null;
}

/** A reviewer's verdict on one revision; dismissed (never deleted) when a new revision supersedes it. */
export interface TemplateReviewTable {
  id: string;
  revision_id: string;
  reviewer: string;
  verdict: TemplateVerdict;
  comment: string;
  created_at: string;
  dismissed_at: string | null;
}

/**
 * One row per product that was ever respun: who holds its respin (`claim`, a random token) and the build job it
 * queued. Claimed with single conditional statements, so two processes never both queue a respin of a product.
 */
export interface RespinClaimTable {
  product_id: string;
  claim: string;
  /** Null between the claim and its enqueue (a claimant that died there leaves it stale after a while). */
  job_id: string | null;
  claimed_at: string;
}

/** One step of publishing a release to a cloud target: done (with what it recorded) or failed (with why). */
export interface CloudPublicationTable {
  release_id: string;
  target: string;
  step: string;
  region: string;
  status: 'done' | 'failed';
  /** JSON: what the step recorded (done), read back by the steps after it. */
  result: string | null;
  error: string | null;
  attempts: number;
  updated_at: string;
}

export interface Schema {
  products: ProductTable;
  releases: ReleaseTable;
  artifacts: ArtifactTable;
  cloud_images: CloudImageTable;
  release_changelogs: ReleaseChangelogTable;
  jobs: JobTable;
  job_events: JobEventTable;
  feed_state: FeedStateTable;
  documents: DocumentTable;
  tokens: TokenTable;
  settings: SettingTable;
  accounts: AccountTable;
  sessions: SessionTable;
  audit_log: AuditTable;
  templates: TemplateTable;
  template_revisions: TemplateRevisionTable;
  template_reviews: TemplateReviewTable;
  respin_claims: RespinClaimTable;
  cloud_publications: CloudPublicationTable;
}
