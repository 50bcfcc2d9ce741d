import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { mirrorService } from '../../release/mirror.ts';
import { keysDirOf, openArtifactStore, openServices } from '../../release/open-services.ts';
import { checkPublicUrl } from '../../release/public-url.ts';
import { type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd mirror --to s3://BUCKET/PREFIX --mirror-url URL`: every published file and the signed feeds, on a mirror. */
export function registerMirror(program: Command): void {
  withServiceOptions(program.command('mirror'))
    .description('copy every published image, signature and feed to a mirror (S3 bucket or folder); feeds are signed again with links under the mirror\'s URL')
    .requiredOption('--to <s3-url|dir>', 'the mirror: s3://BUCKET/PREFIX (AWS_* env, HERD_S3_ENDPOINT) or a folder')
    .requiredOption('--mirror-url <url>', 'the base URL clients reach the mirror at (feeds link to files under it)')
    .option('--json', 'print JSON')
    .action(async (o: RawServiceOptions & { to: string; mirrorUrl: string; json?: boolean }) => {
      const opts = serviceOptions(o);
      const mirrorUrl = checkPublicUrl(o.mirrorUrl);
      const dest = openArtifactStore(o.to);
      const svc = await openServices(opts);
      try {
        if (o.to.replace(/\/+$/, '') === (opts.artifacts ?? '').replace(/\/+$/, '')) {
          throw new AppError('mirror.same_store', 'the mirror is the artifact store itself', { hint: 'pass another bucket or folder with --to' });
        }
        const r = await mirrorService(svc, dest, { publicUrl: mirrorUrl, keysDir: keysDirOf(opts), log: o.json ? undefined : (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `mirrored: ${r.copied.length} file(s) copied, ${r.skipped} already there, ${r.documents} documents signed for ${mirrorUrl}\n`);
      } finally {
        await svc.close();
      }
    });
}
