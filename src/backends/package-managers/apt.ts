import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapSpec, LockedPackage, PackageManager } from './package-manager.ts';
import { readDpkgStatus } from './dpkg-status.ts';
import { lockEntries, parsePackagesIndex } from './apt-index.ts';
import { gatherLockedDebs, writeLocalRepo } from './local-repo.ts';
import { AppError } from '../../errors.ts';

type Run = Parameters<PackageManager['bootstrap']>[1];

/** The one-line sources the image keeps: the recipe's mirrors, each checked against the archive keyring. */
export function sourcesList(spec: Pick<BootstrapSpec, 'sources' | 'keyring'>): string {
  return spec.sources.flatMap((s) =>
    s.suites.map((suite) => `deb [signed-by=${spec.keyring}] ${s.uri} ${suite} ${s.components.join(' ')}`)).join('\n') + '\n';
}

/** apt through mmdebstrap: no chroot set-up of our own, no loop devices, a package cache synced in and out. */
export const apt: PackageManager = {
  name: 'apt',
  async bootstrap(spec, run) {
    mkdirSync(spec.packageCache, { recursive: true });
    mkdirSync(spec.workDir, { recursive: true });
    return spec.locked ? bootstrapLocked(spec, spec.locked, run) : bootstrapLive(spec, run);
  },
  installed: readDpkgStatus,
};

function mmdebstrapArgs(spec: BootstrapSpec, packages: string[], extra: string[]): string[] {
  return [
    'mmdebstrap', '--mode=root', '--variant=minbase', `--architectures=${spec.architecture}`,
    `--keyring=${spec.keyring}`,
    `--include=${packages.join(',')}`,
    '--aptopt=Acquire::Check-Valid-Until "false"',
    '--aptopt=Acquire::Retries "3"',
    // keep the essential .debs too, so the cache holds everything and a rebuild downloads nothing
    '--skip=essential/unlink',
    // merged /usr the debootstrap way: installs usr-is-merged, so usrmerge (and all of perl with it) stays out
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    ...spec.pathFilters.map((f) => `--dpkgopt=${f}`),
    ...earlyFileHooks(spec),
    ...extra,
    spec.codename, spec.root, '-',
  ];
}

/** Against the live archive; the package indexes apt used are kept aside to record each file's sha256. */
async function bootstrapLive(spec: BootstrapSpec, run: Run): Promise<LockedPackage[]> {
  const lists = join(spec.workDir, 'lists');
  mkdirSync(lists, { recursive: true });
  const argv = mmdebstrapArgs(spec, spec.packages, [
    `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`,
    `--setup-hook=sync-in ${spec.packageCache} /var/cache/apt/archives/`,
    `--customize-hook=sync-out /var/cache/apt/archives ${spec.packageCache}`,
    // before mmdebstrap's cleanup deletes them: the signature-checked indexes the packages came from
    `--customize-hook=cp "$1"/var/lib/apt/lists/*_Packages* ${shellQuote(lists)}/`,
  ]);
  await run(argv, { env: { SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch) }, input: sourcesList(spec) });
  const installed = readDpkgStatus(spec.root);
  const wanted = new Set(installed.map((p) => p.name));
  const index = [];
  for (const f of readdirSync(lists).sort()) {
    const path = join(lists, f);
    // apt may keep its lists compressed (Acquire::GzipIndexes); its own helper reads every format it writes
    const text = /_Packages$/.test(f) ? readFileSync(path, 'utf8') : (await run(['/usr/lib/apt/apt-helper', 'cat-file', path], { captureStdout: true })).stdout;
    index.push(...parsePackagesIndex(text, wanted));
  }
  const { entries, unmatched } = lockEntries(installed, index);
  if (unmatched.length) {
    throw new AppError('lock.unrecorded_package', `installed packages no package index lists: ${unmatched.map((p) => `${p.name} ${p.version}`).join(', ')}`, {
      kind: 'internal', hint: 'the lock would not pin them; report this with the build log',
    });
  }
  return entries;
}

/** Exactly the locked files, from a local repository of them; the image's sources still name the real mirrors. */
async function bootstrapLocked(spec: BootstrapSpec, locked: LockedPackage[], run: Run): Promise<LockedPackage[]> {
  checkRecipeAgainstLock(spec.packages, locked);
  const repo = join(spec.workDir, 'repo');
  const debs = await gatherLockedDebs(locked, {
    packageCache: spec.packageCache, mirrors: spec.sources.map((s) => s.uri), dir: repo, lockedEpoch: spec.sourceDateEpoch, log: spec.log,
  });
  // each package's own control fields make its index stanza (a few at a time: one short process per file)
  const withControl: Array<(typeof debs)[number] & { control: string }> = new Array(debs.length);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = next++; i < debs.length; i = next++) {
      withControl[i] = { ...debs[i]!, control: (await run(['dpkg-deb', '--field', debs[i]!.file], { captureStdout: true, onLine: () => {} })).stdout };
    }
  }));
  writeLocalRepo(repo, withControl, spec.sourceDateEpoch, spec.codename);
  const argv = mmdebstrapArgs(spec, locked.map((p) => p.name), []);
  // copy:// puts the files into the tree's apt cache, so dpkg inside the chroot can read them (file:// would need a bind mount)
  await run(argv, { env: { SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch) }, input: `deb [trusted=yes] copy://${repo} ./\n` });
  writeFileSync(join(spec.root, 'etc/apt/sources.list'), sourcesList(spec));
  const installed = readDpkgStatus(spec.root);
  const key = (p: { name: string; version: string; architecture: string }) => `${p.name} ${p.version} ${p.architecture}`;
  const want = new Set(locked.map(key));
  const got = new Set(installed.map(key));
  const extra = [...got].filter((k) => !want.has(k));
  const lacking = [...want].filter((k) => !got.has(k));
  if (extra.length || lacking.length) {
    throw new AppError('lock.mismatch', `the locked build installed a different package set (extra: ${extra.join(', ') || 'none'}; missing: ${lacking.join(', ') || 'none'})`, {
      kind: 'internal', hint: 'report this with the build log and the lock file',
    });
  }
  return locked;
}

/** Every package the recipe names must be in the lock (and at the pinned version): else the lock is for another recipe. */
export function checkRecipeAgainstLock(packages: string[], locked: LockedPackage[]): void {
  const byName = new Map(locked.map((p) => [p.name, p]));
  for (const spec of packages) {
    const [name, version] = spec.split('=');
    const p = byName.get(name!);
    if (!p || (version && p.version !== version)) {
      throw new AppError('lock.recipe_mismatch', `the recipe asks for ${spec}, which the lock does not hold${p ? ` (it has ${p.version})` : ''}`, {
        hint: 'the recipe changed since the lock was written: build without --lock to resolve and write a new resolved.json',
      });
    }
  }
}

/** Writes spec.earlyFiles (from the workDir, mmdebstrap's upload) once the essential packages are in. */
function earlyFileHooks(spec: BootstrapSpec): string[] {
  return (spec.earlyFiles ?? []).flatMap((f, i) => {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(f.path) || f.path.split('/').includes('..')) {
      throw new AppError('rootfs.early_file_path', `early file path ${f.path} is not a plain absolute path`, { kind: 'internal' });
    }
    const host = join(spec.workDir, `early-${i}`);
    writeFileSync(host, f.content);
    const dir = f.path.slice(0, f.path.lastIndexOf('/')) || '/';
    return [`--essential-hook=mkdir -p "$1"${shellQuote(dir)}`, `--essential-hook=upload ${shellQuote(host)} ${shellQuote(f.path)}`];
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const packageManagers = { apt } satisfies Record<string, PackageManager>;

