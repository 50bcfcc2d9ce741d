import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError, isAppError } from '../../errors.ts';
import { MAX_FEED_BYTES, readCapped } from '../../release/read-capped.ts';
import { verifyFeed } from '../../release/verify-feed.ts';
import { defaultStatePath } from '../../release/verify-state.ts';

interface VerifyOpts { keyring?: string; data?: string; state?: string; channel?: string; json?: boolean }

/** `herd verify FEED [ARTIFACT]`: what a client runs before trusting a feed or an image. */
export function registerVerify(program: Command): void {
  program.command('verify')
    .description('check a feed signature and its keys, refuse rollback, expired and wrong-channel feeds, and check an artifact against it')
    .argument('<feed>', 'feed URL or file (e.g. https://host/feeds/stable.json); its signature is FEED.asc')
    .argument('[artifact]', 'downloaded image to check (sha256 listed in the feed, signature ARTIFACT.asc or the feed link)')
    .option('--keyring <file>', 'the publisher\'s keyring.asc, obtained out of band; its first key names the publisher')
    .option('--data <dir>', 'use the keyring of this herd data directory instead')
    .option('--channel <name>', 'the channel you expect (default: the feed file name, stable.json → stable)')
    .option('--state <file>', 'where the last generation seen per publisher and channel is kept', defaultStatePath())
    .option('--json', 'print the result as JSON')
    .action(async (feed: string, artifact: string | undefined, o: VerifyOpts) => {
      const keyringPath = o.keyring ?? (o.data ? join(o.data, 'keys', 'keyring.asc') : undefined);
      if (!keyringPath) {
        throw new AppError('verify.no_keyring', 'no keyring to verify with', { hint: 'pass --keyring FILE with the publisher\'s public keys' });
      }
      const keyring = new TextDecoder().decode(await readCapped(resolve(keyringPath), MAX_FEED_BYTES, 'keyring').catch((e) => {
        if (isAppError(e) && e.code === 'feed.too_large') throw e;
        throw new AppError('verify.no_keyring', `cannot read keyring ${keyringPath}`, { hint: 'pass --keyring FILE with the publisher\'s public keys' });
      }));
      const r = await verifyFeed({ feed, keyring, channel: o.channel, statePath: resolve(o.state!), artifact: artifact && resolve(artifact) });
      if (o.json) {
        process.stdout.write(JSON.stringify({
          channel: r.feed.channel, generation: r.feed.generation, expires: r.feed.expires, publisher: r.publisher, signedBy: r.signedBy,
          retiredKey: r.retiredKey ?? false, artifact: r.artifact,
        }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`feed OK: ${r.feed.channel} generation ${r.feed.generation}, expires ${r.feed.expires}, signed by ${r.signedBy}\n`);
      if (r.retiredKey) process.stderr.write(`note: signed by a retired key before its retirement; this copy is stale, fetch the current feed from the origin\n`);
      if (r.artifact) process.stdout.write(`artifact OK: ${r.artifact.product} ${r.artifact.release} ${r.artifact.arch} ${r.artifact.format} sha256 ${r.artifact.sha256}\n`);
    });
}
