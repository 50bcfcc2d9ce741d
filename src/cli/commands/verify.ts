import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { verifyFeed } from '../../release/verify-feed.ts';
import { defaultStatePath } from '../../release/verify-state.ts';

interface VerifyOpts { keyring?: string; data?: string; state?: string; json?: boolean }

/** `herd verify FEED [ARTIFACT]`: what a client runs before trusting a feed or an image. */
export function registerVerify(program: Command): void {
  program.command('verify')
    .description('check a feed signature, refuse rollback and expired feeds, and check an artifact against it')
    .argument('<feed>', 'feed URL or file (e.g. https://host/feeds/stable.json); its signature is FEED.asc')
    .argument('[artifact]', 'downloaded image to check (sha256 listed in the feed, signature ARTIFACT.asc or the feed link)')
    .option('--keyring <file>', 'armored public keys to trust (the publisher\'s keyring.asc, obtained out of band)')
    .option('--data <dir>', 'use the keyring of this herd data directory instead')
    .option('--state <file>', 'where the last generation seen per feed is kept', defaultStatePath())
    .option('--json', 'print the result as JSON')
    .action(async (feed: string, artifact: string | undefined, o: VerifyOpts) => {
      const keyringPath = o.keyring ?? (o.data ? join(o.data, 'keys', 'keyring.asc') : undefined);
      if (!keyringPath) {
        throw new AppError('verify.no_keyring', 'no keyring to verify with', { hint: 'pass --keyring FILE with the publisher\'s public keys' });
      }
      const keyring = await readFile(resolve(keyringPath), 'utf8').catch(() => {
        throw new AppError('verify.no_keyring', `cannot read keyring ${keyringPath}`, { hint: 'pass --keyring FILE with the publisher\'s public keys' });
      });
      const r = await verifyFeed({ feed, keyring, statePath: resolve(o.state!), artifact: artifact && resolve(artifact) });
      if (o.json) { process.stdout.write(JSON.stringify({ channel: r.feed.channel, generation: r.feed.generation, expires: r.feed.expires, signedBy: r.signedBy, artifact: r.artifact }, null, 2) + '\n'); return; }
      process.stdout.write(`feed OK: ${r.feed.channel} generation ${r.feed.generation}, expires ${r.feed.expires}, signed by ${r.signedBy}\n`);
      if (r.artifact) process.stdout.write(`artifact OK: ${r.artifact.product} ${r.artifact.release} ${r.artifact.arch} ${r.artifact.format} sha256 ${r.artifact.sha256}\n`);
    });
}
