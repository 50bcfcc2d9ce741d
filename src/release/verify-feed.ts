import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../errors.ts';
import { readTrustedKeyring, type TrustedKeyring, verifyWithKeyring } from '../keys/trusted-keyring.ts';
import { hashFile } from './build-output.ts';
import { FEED_SCHEMA_VERSION, HerdFeed } from './feeds/herd-feed.ts';
import { MAX_FEED_BYTES, MAX_SIGNATURE_BYTES, readCapped } from './read-capped.ts';
import {
  checkNotRolledBack, type FeedState, feedStateKey, mergeKeyKnowledge, readVerifyState, recordFeed, writeVerifyState,
} from './verify-state.ts';

/**
 * The longest a feed may live. A retired key's signature is accepted only on a feed that expires within
 * this long of the retirement: whoever holds a retired key also controls the signature time and the
 * feed's own dates, so a back-dated forgery is at most this fresh, and one dated 2099 is refused.
 */
export const MAX_FEED_LIFETIME_MS = 31 * 86_400_000;

export interface VerifyOptions {
  /** URL (http/https) or file path of a channel feed; its signature is at the same place + `.asc`. */
  feed: string;
  /** The publisher's armored keyring.asc, as the client pinned it. */
  keyring: string;
  statePath: string;
  /** The channel asked for; by default the feed's file name (`stable.json` → stable). */
  channel?: string;
  artifact?: string;
  now?: Date;
  maxFeedBytes?: number;
}

export interface VerifyResult {
  feed: HerdFeed;
  /** Fingerprint of the first key of the pinned keyring: the identity rollback state is kept under. */
  publisher: string;
  signedBy: string;
  /** Set when a retired key signed the feed before its retirement (a stale copy; never recorded as newest). */
  retiredKey?: boolean;
  artifact?: { product: string; release: string; arch: string; platform: string; format: string; sha256: string; signedBy: string };
}

/** What `herd verify` does: size caps, signature and key status, schema, channel, expiry, rollback, then (optionally) one artifact. */
export async function verifyFeed(o: VerifyOptions): Promise<VerifyResult> {
  const channel = o.channel ?? channelFromName(o.feed);
  const keyring = await readTrustedKeyring(o.keyring, 'keyring');
  const state = await readVerifyState(o.statePath);
  const known = JSON.stringify(state.keys ?? {});
  mergeKeyKnowledge(state, keyring);
  // What the keyring taught about retired and revoked keys is kept even if this feed is then refused.
  if (JSON.stringify(state.keys) !== known) await writeVerifyState(o.statePath, state);
  const body = await readCapped(o.feed, o.maxFeedBytes ?? MAX_FEED_BYTES, 'feed');
  const signature = new TextDecoder().decode(await readCapped(`${o.feed}.asc`, MAX_SIGNATURE_BYTES, 'feed signature'));
  const sig = await verifyWithKeyring(body, signature, keyring, o.feed);
  const feed = parseFeed(o.feed, body);
  const retiredKey = checkKeyStatus(sig, o.feed, new Date(feed.expires));
  if (feed.channel !== channel) {
    throw new AppError('feed.wrong_channel', `${o.feed} is the ${feed.channel} feed, not the ${channel} feed asked for`, {
      hint: 'a mirror or attacker swapped the channels; fetch the feed from the origin, or pass --channel if you renamed the file',
    });
  }
  const now = o.now ?? new Date();
  if (now.getTime() > Date.parse(feed.expires)) {
    throw new AppError('feed.expired', `${o.feed} expired at ${feed.expires} (generation ${feed.generation})`, {
      hint: 'the publisher has stopped refreshing it, or someone is replaying an old copy; fetch it from the origin',
    });
  }
  const s: FeedState = { key: feedStateKey(keyring.publisher, channel), generation: feed.generation, sha256: createHash('sha256').update(body).digest('hex'), signedBy: sig.fingerprint };
  checkNotRolledBack(state, s, o.feed);
  // A retired key's feed can only be an old copy: it may be used, but never becomes the newest generation
  // seen, so a forgery that slipped through cannot make the real feed look like a rollback.
  if (!retiredKey) recordFeed(state, s);
  const result: VerifyResult = { feed, publisher: keyring.publisher, signedBy: sig.fingerprint, ...(retiredKey ? { retiredKey } : {}) };
  if (o.artifact) result.artifact = await verifyArtifact(feed, o.artifact, keyring);
  await writeVerifyState(o.statePath, state);
  return result;
}

/** `…/feeds/stable.json` → stable. */
export function channelFromName(source: string): string {
  const path = /^https?:\/\//i.test(source) || source.startsWith('file://') ? new URL(source).pathname : source;
  const m = /^([a-z0-9][a-z0-9_-]*)\.json$/i.exec(basename(path));
  if (!m) {
    throw new AppError('feed.no_channel', `cannot tell which channel ${source} is from its name`, { hint: 'pass --channel NAME (e.g. --channel stable)' });
  }
  return m[1]!;
}

/**
 * Refuses a signature by a key revoked as compromised (whatever its date), and by a retired key when it
 * was made after the retirement or covers a feed that outlives the retirement by more than a feed can.
 * Returns whether a retired key made it.
 */
function checkKeyStatus(sig: Awaited<ReturnType<typeof verifyWithKeyring>>, what: string, expires?: Date): boolean {
  const { compromised, retired } = sig.status;
  if (compromised) {
    throw new AppError('signature.revoked_key', `${what} is signed by key ${sig.fingerprint}, revoked on ${compromised.at.toISOString()} as compromised (${clean(compromised.reason)})`, {
      hint: 'nothing signed by a compromised key is trusted, whatever its date; fetch a copy signed with the publisher\'s current key',
    });
  }
  if (!retired) return false;
  if (sig.created.getTime() > retired.getTime()) {
    throw new AppError('signature.retired_key', `${what} was signed on ${sig.created.toISOString()} by key ${sig.fingerprint}, which was retired on ${retired.toISOString()}`, {
      hint: 'a retired key signs nothing new; the publisher signs with its current key. Refresh your keyring from the origin; if the key leaked, the publisher must revoke it with `herd keys revoke --compromised`',
    });
  }
  if (expires && expires.getTime() > retired.getTime() + MAX_FEED_LIFETIME_MS) {
    throw new AppError('signature.retired_key', `${what} is signed by key ${sig.fingerprint}, retired on ${retired.toISOString()}, but expires on ${expires.toISOString()}, later than any feed signed before the retirement could`, {
      hint: 'this is not a feed the publisher signed; fetch the feed from the origin',
    });
  }
  return true;
}

/** A revocation reason is the key holder's text: show it without control characters. */
const clean = (s: string) => s.replace(/[\p{Cc}\p{Cf}]/gu, '?').slice(0, 200);

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
  if (Number.isNaN(Date.parse(parsed.data.expires))) {
    throw new AppError('feed.invalid', `${source}: expires: not a date`, { hint: 'the feed does not follow the Herd feed schema' });
  }
  return parsed.data;
}

async function verifyArtifact(feed: HerdFeed, path: string, keyring: TrustedKeyring): Promise<NonNullable<VerifyResult['artifact']>> {
  const { sha256 } = await hashFile(path);
  for (const [product, p] of Object.entries(feed.products)) {
    for (const [arch, a] of Object.entries(p.architectures)) {
      for (const [platform, pa] of Object.entries(a.artifacts)) {
        for (const [format, f] of Object.entries(pa.formats)) {
          if (f.disk.sha256 !== sha256) continue;
          const sigBytes = await readCapped(existsSync(`${path}.asc`) ? `${path}.asc` : f.disk.signature, MAX_SIGNATURE_BYTES, 'artifact signature');
          const sig = await verifyWithKeyring(createReadStream(path), new TextDecoder().decode(sigBytes), keyring, path);
          checkKeyStatus(sig, path);
          return { product, release: pa.release, arch, platform, format, sha256, signedBy: sig.fingerprint };
        }
      }
    }
  }
  const revoked = feed.revoked.length ? ` (revoked in this channel: ${feed.revoked.map((r) => `${r.product} ${r.version}`).join(', ')})` : '';
  throw new AppError('artifact.not_in_feed', `${path} (sha256 ${sha256}) is not a current artifact of the ${feed.channel} feed${revoked}`, {
    hint: 'download the image again from a location the feed lists; revoked or superseded images are not accepted',
  });
}
