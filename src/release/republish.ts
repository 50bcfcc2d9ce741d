import type { Kysely } from 'kysely';
import type { Signer } from '../keys/signer.ts';
import type { Database } from '../store/database.ts';
import { etagOf } from '../store/documents.ts';
import { CHANNELS } from '../store/releases.ts';
import type { Schema } from '../store/schema.ts';
import { coreosStream } from './feeds/coreos-stream.ts';
import { currentReleases, readChannel } from './feeds/feed-input.ts';
import { herdFeed } from './feeds/herd-feed.ts';
import { releasesIndex } from './feeds/releases-index.ts';
import { productsPath, simplestreamsIndex, simplestreamsProducts } from './feeds/simplestreams.ts';

export interface FeedConfig {
  /** Base URL clients reach this service (or its mirror) at; artifact locations in feeds start with it. */
  publicUrl: string;
  /** How long a feed is valid; clients refuse it afterwards, so the service must republish before then. */
  feedTtlMs: number;
}

export interface Document { path: string; body: string; contentType: string }

/**
 * Applies `change` and regenerates every feed document in the same transaction: the change and the
 * signed documents that announce it commit together, or (if signing or anything else fails) not at all.
 * Generations are taken first: on PostgreSQL that row lock serialises concurrent republishes, so a
 * higher generation never describes older data.
 */
export async function republish<T>(store: Database, signer: Signer, config: FeedConfig,
  change?: (tx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(async (tx) => {
    const generations = [];
    for (const channel of CHANNELS) generations.push(await bumpGeneration(tx, channel));
    const result = (await change?.(tx)) as T;
    const docs = await renderDocuments(tx, generations, signer, config);
    await tx.deleteFrom('documents').execute();
    const at = new Date().toISOString();
    for (const d of docs) {
      await tx.insertInto('documents').values({ path: d.path, body: d.body, content_type: d.contentType, etag: etagOf(d.body), updated_at: at }).execute();
    }
    return result;
  });
}

async function bumpGeneration(tx: Kysely<Schema>, channel: string): Promise<number> {
  await tx.insertInto('feed_state').values({ channel, generation: 0 }).onConflict((oc) => oc.column('channel').doNothing()).execute();
  const row = await tx.updateTable('feed_state').set((eb) => ({ generation: eb('generation', '+', 1) }))
    .where('channel', '=', channel).returning('generation').executeTakeFirstOrThrow();
  return Number(row.generation);
}

/**
 * Every feed document as it stands (the current generations, not bumped), signed, with links under another base
 * URL: what a mirror serves (src/release/mirror.ts). Nothing is stored.
 */
export async function documentsFor(store: Database, signer: Signer, config: FeedConfig): Promise<Document[]> {
  const rows = await store.db.selectFrom('feed_state').select(['channel', 'generation']).execute();
  const generations = CHANNELS.map((c) => Number(rows.find((r) => r.channel === c)?.generation ?? 0));
  return renderDocuments(store.db, generations, signer, config);
}

async function renderDocuments(tx: Kysely<Schema>, generations: number[], signer: Signer, config: FeedConfig): Promise<Document[]> {
  const issued = new Date();
  const snapshots = await Promise.all(CHANNELS.map((c, i) => readChannel(tx, c, generations[i]!, issued, config.publicUrl)));
  const docs: Document[] = [];
  const json = (path: string, value: unknown) => docs.push({ path, body: JSON.stringify(value, null, 2) + '\n', contentType: 'application/json' });
  for (const s of snapshots) {
    json(`feeds/${s.channel}.json`, herdFeed(s, config.feedTtlMs));
    json(`releases/${s.channel}.json`, releasesIndex(s));
    json(productsPath(s.channel), simplestreamsProducts(s));
    for (const r of currentReleases(s)) json(`coreos/${r.productId}/streams/${s.channel}.json`, coreosStream(s, r));
  }
  json('streams/v1/index.json', simplestreamsIndex(snapshots, issued));
  const signed = docs.filter((d) => d.path.startsWith('feeds/') || d.path.startsWith('releases/'));
  for (const d of signed) {
    docs.push({ path: `${d.path}.asc`, body: await signer.sign(new TextEncoder().encode(d.body)), contentType: 'application/pgp-signature' });
  }
  return docs;
}
