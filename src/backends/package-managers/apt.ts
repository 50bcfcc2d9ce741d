import { mkdirSync } from 'node:fs';
import type { PackageManager } from './package-manager.ts';
import { readDpkgStatus } from './dpkg-status.ts';

/** apt through mmdebstrap: no chroot set-up of our own, no loop devices, a package cache synced in and out. */
export const apt: PackageManager = {
  name: 'apt',
  async bootstrap(spec, run) {
    mkdirSync(spec.packageCache, { recursive: true });
    const sources = spec.sources.flatMap((s) =>
      s.suites.map((suite) => `deb [signed-by=${spec.keyring}] ${s.uri} ${suite} ${s.components.join(' ')}`));
    const argv = [
      'mmdebstrap', '--mode=root', '--variant=minbase', `--architectures=${spec.architecture}`,
      `--keyring=${spec.keyring}`,
      `--include=${spec.packages.join(',')}`,
      '--aptopt=Acquire::Check-Valid-Until "false"',
      '--aptopt=Acquire::Retries "3"',
      // keep the essential .debs too, so the cache holds everything and a rebuild downloads nothing
      '--skip=essential/unlink',
      // merged /usr the debootstrap way: installs usr-is-merged, so usrmerge (and all of perl with it) stays out
      '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
      ...spec.pathFilters.map((f) => `--dpkgopt=${f}`),
      `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`,
      `--setup-hook=sync-in ${spec.packageCache} /var/cache/apt/archives/`,
      `--customize-hook=sync-out /var/cache/apt/archives ${spec.packageCache}`,
      spec.codename, spec.root, '-',
    ];
    await run(argv, { env: { SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch) }, input: sources.join('\n') + '\n' });
  },
  installed: readDpkgStatus,
};

export const packageManagers = { apt } satisfies Record<string, PackageManager>;
