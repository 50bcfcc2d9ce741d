import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { writeFileAtomic } from '../keys/atomic-write.ts';
import type { KeyStatus, TrustedKeyring } from '../keys/trusted-keyring.ts';

/**
 * What a verifier remembers between runs: per pinned publisher and channel, the highest generation seen
 * and its digest (rollback), and per key what it has learnt about retirement and compromise, so a later,
 * older copy of the keyring (from a stale mirror) cannot make it forget a revocation.
 */
export interface FeedState { key: string; generation: number; sha256: string; signedBy: string }

const StateFile = z.object({
  schemaVersion: z.literal(1),
  feeds: z.record(z.string(), z.object({ generation: z.number(), sha256: z.string(), seen: z.string(), signedBy: z.string().optional() })),
  keys: z.record(z.string(), z.object({ retired: z.string().optional(), compromised: z.string().optional(), reason: z.string().optional() })).optional(),
});
export type VerifyState = z.infer<typeof StateFile>;

export function defaultStatePath(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'herd', 'verify-state.json');
}

/** The rollback state is keyed on the identity the client pinned (its keyring), never on what a feed claims. */
export function feedStateKey(publisher: string, channel: string): string {
  return `${publisher} ${channel}`;
}

export async function readVerifyState(path: string): Promise<VerifyState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, feeds: {} };
    throw badState(path, `cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw badState(path, `is not JSON: ${(e as Error).message}`);
  }
  const parsed = StateFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badState(path, `is not a herd verify state file: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

function badState(path: string, what: string): AppError {
  return new AppError('verify.bad_state', `${path} ${what}`, {
    kind: 'dependency',
    hint: 'restore the file from a backup or move it aside and run again (you then lose rollback protection for the feeds it remembered); pass another file with --state',
  });
}

/** Merges what the state remembers about keys into the keyring's view, and what the keyring says into the state. */
export function mergeKeyKnowledge(state: VerifyState, keyring: TrustedKeyring): void {
  state.keys ??= {};
  for (const [fpr, { status }] of keyring.keys) {
    const known = state.keys[fpr];
    if (known?.retired && (!status.retired || Date.parse(known.retired) < status.retired.getTime())) status.retired = new Date(known.retired);
    if (known?.compromised && (!status.compromised || Date.parse(known.compromised) < status.compromised.at.getTime())) {
      status.compromised = { at: new Date(known.compromised), reason: known.reason ?? 'revoked' };
    }
    if (status.retired || status.compromised) state.keys[fpr] = remembered(status);
  }
}

const remembered = (s: KeyStatus) => ({
  ...(s.retired ? { retired: s.retired.toISOString() } : {}),
  ...(s.compromised ? { compromised: s.compromised.at.toISOString(), reason: s.compromised.reason } : {}),
});

/**
 * Refuses a feed older than one seen before (rollback), or a different feed under the same generation
 * (a publisher, or an attacker with the key, equivocating).
 */
export function checkNotRolledBack(state: VerifyState, s: FeedState, source: string): void {
  const last = current(state, s.key);
  if (last && s.generation < last.generation) {
    throw new AppError('feed.rollback', `${source} is generation ${s.generation}, older than generation ${last.generation} seen on ${last.seen}`, {
      hint: 'a mirror or attacker is serving an old feed; fetch it from the origin. Never delete the state file to get past this.',
    });
  }
  if (last && s.generation === last.generation && s.sha256 !== last.sha256) {
    throw new AppError('feed.rollback', `${source} differs from the generation ${s.generation} feed seen on ${last.seen}`, {
      hint: 'two different feeds were signed with the same generation; report this to the publisher',
    });
  }
}

export function recordFeed(state: VerifyState, s: FeedState): void {
  const last = current(state, s.key);
  if (last && last.generation >= s.generation) return;
  state.feeds[s.key] = { generation: s.generation, sha256: s.sha256, seen: new Date().toISOString(), signedBy: s.signedBy };
}

/**
 * The remembered feed, unless a key since revoked as compromised signed it: a thief who fast-forwarded
 * clients to a huge generation with the active key must not lock them out of the real feed after the
 * revocation.
 */
function current(state: VerifyState, key: string): VerifyState['feeds'][string] | undefined {
  const last = state.feeds[key];
  if (last?.signedBy && state.keys?.[last.signedBy]?.compromised) return undefined;
  return last;
}

export async function writeVerifyState(path: string, state: VerifyState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
}
