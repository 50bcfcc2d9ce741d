import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import { verifyDetached } from '../keys/verify-signature.ts';
import { hashFile } from './build-output.ts';
import { FEED_SCHEMA_VERSION, HerdFeed } from './feeds/herd-feed.ts';
import { checkNotRolledBack, type FeedState } from './verify-state.ts';

export interface VerifyOptions {
  /** URL (http/https) or file path of a channel feed; its signature is at the same place + `.asc`. */
  feed: string;
  keyring: string;
  statePath: string;
  artifact?: string;
  now?: Date;
}

export interface VerifyResult {
  feed: HerdFeed;
  signedBy: string;
  artifact?: { product: string; release: string; arch: string; platform: string; format: string; sha256: string; signedBy: string };
}

/** What `herd verify` does: signature, schema, expiry, rollback, then (optionally) one artifact. */
export async function verifyFeed(o: VerifyOptions): Promise<VerifyResult> {
  const body = await fetchBytes(o.feed);
  const signature = new TextDecoder().decode(await fetchBytes(`${o.feed}.asc`));
  const signedBy = await verifyDetached(body, signature, o.keyring, o.feed);
  const feed = parseFeed(o.feed, body);
  const now = o.now ?? new Date();
  if (now.getTime() > Date.parse(feed.expires)) {
    throw new AppError('feed.expired', `${o.feed} expired at ${feed.expires} (generation ${feed.generation})`, {
      hint: 'the publisher has stopped refreshing it, or someone is replaying an old copy; fetch it from the origin',
    });
  }
  const state: FeedState = { key: `${feed.publisher} ${feed.channel}`, generation: feed.generation, sha256: createHash('sha256').update(body).digest('hex') };
  await checkNotRolledBack(o.statePath, state, o.feed);
  const result: VerifyResult = { feed, signedBy };
  if (o.artifact) result.artifact = await verifyArtifact(feed, o.artifact, o.keyring);
  return result;
}

function parseFeed(source: string, body: Uint8Array): HerdFeed {
  let raw: any;
  try {
    raw = JSON.parse(new TextDecoder().decode(body));
  } catch (e) {
    throw new AppError('feed.bad_json', `${source} is not JSON: ${(e as Error).message}`, { hint: 'pass a Herd channel feed, e.g. …/feeds/stable.json' });
  }
  if (raw?.schemaVersion !== FEED_SCHEMA_VERSION) {
    throw new AppError('feed.unsupported_schema', `${source} has schemaVersion ${raw?.schemaVersion}; this herd reads ${FEED_SCHEMA_VERSION}`, { hint: 'upgrade herd' });
  }
  const parsed = HerdFeed.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('feed.invalid', `${source}: ${issue?.path.join('.')}: ${issue?.message}`, { hint: 'the feed does not follow the Herd feed schema' });
  }
  return parsed.data;
}

async function verifyArtifact(feed: HerdFeed, path: string, keyring: string): Promise<NonNullable<VerifyResult['artifact']>> {
  const { sha256 } = await hashFile(path);
  for (const [product, p] of Object.entries(feed.products)) {
    for (const [arch, a] of Object.entries(p.architectures)) {
      for (const [platform, pa] of Object.entries(a.artifacts)) {
        for (const [format, f] of Object.entries(pa.formats)) {
          if (f.disk.sha256 !== sha256) continue;
          const sigText = existsSync(`${path}.asc`) ? await readFile(`${path}.asc`, 'utf8') : new TextDecoder().decode(await fetchBytes(f.disk.signature));
          const signedBy = await verifyDetached(createReadStream(path), sigText, keyring, path);
          return { product, release: pa.release, arch, platform, format, sha256, signedBy };
        }
      }
    }
  }
  const revoked = feed.revoked.length ? ` (revoked in this channel: ${feed.revoked.map((r) => `${r.product} ${r.version}`).join(', ')})` : '';
  throw new AppError('artifact.not_in_feed', `${path} (sha256 ${sha256}) is not a current artifact of the ${feed.channel} feed${revoked}`, {
    hint: 'download the image again from a location the feed lists; revoked or superseded images are not accepted',
  });
}

async function fetchBytes(source: string): Promise<Uint8Array> {
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new AppError('feed.unreachable', `cannot fetch ${source}: ${(e as Error).message}`, { kind: 'dependency', hint: 'check the URL and your network' });
    }
    if (!res.ok) throw new AppError('feed.unreachable', `GET ${source} returned HTTP ${res.status}`, { kind: 'dependency', hint: 'check the URL' });
    return new Uint8Array(await res.arrayBuffer());
  }
  const path = source.startsWith('file://') ? new URL(source).pathname : source;
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new AppError('feed.missing', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`, { hint: 'pass the feed path or URL; its .asc signature must sit next to it' });
  }
}
