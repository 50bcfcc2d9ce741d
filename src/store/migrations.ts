import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { AppError } from '../errors.ts';
import type { Dialect } from './database.ts';

/**
 * Migrations are code, in order, and never edited once released: add a new entry instead.
 * One schema for both dialects; the only branch is how an auto-increment key is spelled.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('products')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('recipe_path', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('releases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('recipe_digest', 'text', (c) => c.notNull())
          .addColumn('packages', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('published_at', 'text')
          .addColumn('revoked_at', 'text')
          .addColumn('revoke_reason', 'text')
          .addUniqueConstraint('releases_product_version', ['product_id', 'version'])
          .execute();
        await db.schema.createTable('artifacts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
          .addColumn('arch', 'text', (c) => c.notNull())
          .addColumn('format', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('location', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('uncompressed_sha256', 'text')
          .addColumn('signature', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('artifacts_release_arch_format', ['release_id', 'arch', 'format'])
          .execute();
        await db.schema.createTable('cloud_images')
          .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
          .addColumn('arch', 'text', (c) => c.notNull())
          .addColumn('platform', 'text', (c) => c.notNull())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('image_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('cloud_images_pk', ['release_id', 'arch', 'platform', 'region'])
          .execute();
        await db.schema.createTable('jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('max_attempts', 'integer', (c) => c.notNull())
          .addColumn('worker_id', 'text')
          .addColumn('run_after', 'text', (c) => c.notNull())
          .addColumn('heartbeat_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('result', 'text')
          .addColumn('error', 'text')
          .execute();
        await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'kind', 'run_after']).execute();
        await db.schema.createTable('job_events')
          .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())
          .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('job_events_job').on('job_events').columns(['job_id', 'id']).execute();
        await db.schema.createTable('feed_state')
          .addColumn('channel', 'text', (c) => c.primaryKey())
          .addColumn('generation', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createTable('documents')
          .addColumn('path', 'text', (c) => c.primaryKey())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('etag', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0002_tokens_settings': {
      async up(db: Kysely<any>) {
        // Only the sha256 of a token is kept: a copy of the database never yields a usable credential.
        await db.schema.createTable('tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .addColumn('last_used_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Publish attempts own their pending release (owner, touched_at: a heartbeat), so a concurrent or
    // retried attempt never removes a live one, and gc can tell a stale one; QA record and untested flag.
    '0003_release_attempts': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('releases').addColumn('owner', 'text').execute();
        await db.schema.alterTable('releases').addColumn('touched_at', 'text').execute();
        await db.schema.alterTable('releases').addColumn('untested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('releases').addColumn('qa_record', 'text').execute();
        await db.schema.alterTable('releases').addColumn('qa_report', 'text').execute();
        await db.schema.createIndex('artifacts_location').on('artifacts').column('location').execute();
        await db.schema.createIndex('artifacts_signature').on('artifacts').column('signature').execute();
      },
    },
    // Portal accounts (#10): a signed-in session is one more way to hold a role, checked by the same route
    // table. Passwords as scrypt strings; sessions by the sha256 of their secret, like tokens; an audit log.
    '0004_accounts_sessions_audit': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('disabled_at', 'text')
          .execute();
        await db.schema.createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createTable('audit_log')
          .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Each release keeps its build's size report (size-report.json, bound by the manifest's sha256), so the
    // portal can chart where an image's bytes are and how its size moved across releases. Null before #10.
    '0005_release_size_report': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('releases').addColumn('size_report', 'text').execute();
      },
    },
    // The template library (#10): community recipes, their revisions (each checked by a build job) and peer
    // reviews bound to one revision. A review is never deleted: a new revision dismisses it (dismissed_at).
    '0006_template_library': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('templates')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('author', 'text', (c) => c.notNull())
          .addColumn('extends', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('templates_author').on('templates').column('author').execute();
        await db.schema.createTable('template_revisions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id'))
          .addColumn('number', 'integer', (c) => c.notNull())
          .addColumn('recipe_text', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('check_job_id', 'text')
          .addColumn('check_state', 'text', (c) => c.notNull())
          .addColumn('check_detail', 'text')
          .addUniqueConstraint('template_revisions_number', ['template_id', 'number'])
          .execute();
        await db.schema.createTable('template_reviews')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('revision_id', 'text', (c) => c.notNull().references('template_revisions.id'))
          .addColumn('reviewer', 'text', (c) => c.notNull())
          .addColumn('verdict', 'text', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('dismissed_at', 'text')
          .execute();
        await db.schema.createIndex('template_reviews_revision').on('template_reviews').column('revision_id').execute();
      },
    },
    // Each release's changelog against the one before it (#11): packages added, removed and upgraded, with the
    // entries of the new packages' own Debian changelogs and the CVE ids they name. Written when the release is
    // stored, before it is published; the summary is apart so a feed of many releases reads little.
    '0007_release_changelog': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('release_changelogs')
          .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
          .addColumn('against_id', 'text')
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('changelog', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Respins (#11): which build job holds a product's respin, so `herd respin` and the schedulers of several
    // `herd serve` processes never queue two (src/store/respin-claims.ts).
    '0008_respin_guard': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('respin_claims')
          .addColumn('product_id', 'text', (c) => c.primaryKey())
          .addColumn('claim', 'text', (c) => c.notNull())
          .addColumn('job_id', 'text')
          .addColumn('claimed_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Cloud publishing (#12): each finished step of publishing a release to a target (upload, import, register,
    // copy to a region…) with what it recorded, so a publication resumes where it stopped and never repeats a
    // step that finished (src/store/cloud-publications.ts).
    '0009_cloud_publications': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('cloud_publications')
          .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('step', 'text', (c) => c.notNull())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('result', 'text')
          .addColumn('error', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('cloud_publications_pk', ['release_id', 'target', 'step'])
          .execute();
      },
    },
  };
}

class CodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations() { return migrations(this.dialect); }
}

/** Kysely's Migrator takes a transaction-scoped advisory lock on PostgreSQL, so servers and workers may start together. */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, schema?: string): Promise<void> {
  // Without an explicit schema Kysely looks for its bookkeeping tables in *any* schema, and would
  // skip creating them in ours when another schema on the server already has them.
  const { error } = await new Migrator({ db, provider: new CodeMigrations(dialect), ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  if (error) {
    throw new AppError('store.migration_failed', `database migration failed: ${(error as Error).message}`, {
      kind: 'dependency', cause: error, hint: 'check that the database is reachable and that its user may create tables',
    });
  }
}
