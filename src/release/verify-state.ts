import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { writeFileAtomic } from '../keys/atomic-write.ts';

/** What a verifier remembers per feed (publisher + channel): the highest generation seen and its digest. */
export interface FeedState { key: string; generation: number; sha256: string }

const StateFile = z.object({
  schemaVersion: z.literal(1),
  feeds: z.record(z.string(), z.object({ generation: z.number(), sha256: z.string(), seen: z.string() })),
});

export function defaultStatePath(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'herd', 'verify-state.json');
}

/**
 * Refuses a feed older than one seen before (rollback), or a different feed under the same generation
 * (a publisher, or an attacker with the key, equivocating). Records the feed when it is accepted.
 */
export async function checkNotRolledBack(path: string, s: FeedState, source: string): Promise<void> {
  const file = await readState(path);
  const last = file.feeds[s.key];
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
  file.feeds[s.key] = { generation: s.generation, sha256: s.sha256, seen: new Date().toISOString() };
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
}

async function readState(path: string): Promise<z.infer<typeof StateFile>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { schemaVersion: 1, feeds: {} };
  }
  const parsed = StateFile.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new AppError('verify.bad_state', `${path} is not a herd verify state file`, { hint: 'pass another --state FILE; do not edit it by hand' });
  }
  return parsed.data;
}
