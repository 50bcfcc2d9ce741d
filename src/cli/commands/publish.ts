import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exportDocuments } from '../../release/export-documents.ts';
import { openServices } from '../../release/open-services.ts';
import { publishRelease } from '../../release/publish-release.ts';
import { storedPublicUrl, storePublicUrl } from '../../release/public-url.ts';
import { checkChannel } from '../../store/releases.ts';
import { type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd publish DIR`: a built and tested output folder becomes a signed release, without the API. */
export function registerPublish(program: Command): void {
  withServiceOptions(program.command('publish').argument('<dir>', 'build output folder (manifest.json, SHA256SUMS, images)'))
    .description('store, sign and announce a build output folder as a release')
    .option('--channel <name>', 'testing or stable', 'testing')
    .option('--product <id>', 'product id (default: the manifest name)')
    .option('--version <v>', 'release version YYYY.MM.DD.N (default: the manifest version, else the next free one)')
    .option('--allow-untested', 'publish a build with no QA record (local experiments): the release is marked untested in every feed and can never be promoted to stable')
    .option('--export <dir>', 'also write every feed document under DIR, for a static web server or mirror')
    .option('--json', 'print the release as JSON')
    .action(async (dir: string, o: RawServiceOptions & { channel: string; product?: string; version?: string; allowUntested?: boolean; export?: string; json?: boolean }) => {
      const opts = serviceOptions(o);
      const svc = await openServices(opts);
      try {
        if (opts.publicUrl && (await storePublicUrl(svc.store, opts.publicUrl))) {
          process.stderr.write(`herd publish: public URL set to ${opts.publicUrl} (stored; later commands use it)\n`);
        } else if (!opts.publicUrl && !(await storedPublicUrl(svc.store)) && !o.json) {
          process.stderr.write(`herd publish: no public URL is stored; feeds link to ${svc.feed.publicUrl} (set it once with --public-url URL)\n`);
        }
        const release = await publishRelease(svc, resolve(dir), {
          channel: checkChannel(o.channel), product: o.product, version: o.version, allowUntested: o.allowUntested,
          onProgress: (m) => { if (!o.json) process.stderr.write(`${m}\n`); },
        });
        if (o.export) await exportDocuments(svc.store, resolve(o.export));
        process.stdout.write(o.json ? JSON.stringify(release, null, 2) + '\n' : `${release.productId} ${release.version} published to ${release.channel}${release.untested ? ' (untested)' : ''} (id ${release.id})\n`);
      } finally {
        await svc.close();
      }
    });
}
