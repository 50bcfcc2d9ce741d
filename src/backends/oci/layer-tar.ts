/**
 * GNU tar command lines that make the same bytes from the same tree on every run (reproducible-builds.org's
 * recipe): names sorted, mtimes clamped to SOURCE_DATE_EPOCH, numeric owners, and none of the pax
 * records that hold the time of the build (atime, ctime) or the tar's own PID (the default
 * extended-header name is %d/PaxHeaders.%p/%f).
 */
const REPRODUCIBLE = (epoch: number) => [
  '--sort=name', `--mtime=@${epoch}`, '--clamp-mtime', '--numeric-owner',
];

/**
 * The image layer: the tree's top-level entries (names without a "./" prefix, as `docker save` writes
 * them). Owners stay as the tree has them (numerically): an OS tree has files that are not root's
 * (/etc/shadow is group shadow, /var/mail group mail), so --owner=0 --group=0 would break them.
 * pax format keeps long names and file capabilities (security.capability, e.g. ping's cap_net_raw); the
 * contents of /dev are left out, since every container runtime mounts its own /dev (and an unprivileged
 * unpacker cannot make device nodes).
 */
export function layerTarArgv(tree: string, entries: string[], out: string, epoch: number): string[] {
  return [
    'tar', '--create', `--file=${out}`, '--format=posix',
    // delete=mtime too: the ustar header's whole seconds are enough, a sub-second part would only add noise
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime,delete=mtime',
    ...REPRODUCIBLE(epoch),
    '--xattrs', '--xattrs-include=security.capability',
    '--anchored', '--exclude=dev/*',
    '-C', tree, '--', ...entries,
  ];
}

/** The published archive of the layout: plain ustar (names are short), everything root's, fixed modes. */
export function layoutTarArgv(layoutDir: string, out: string, epoch: number): string[] {
  return [
    'tar', '--create', `--file=${out}`, '--format=ustar', ...REPRODUCIBLE(epoch), '--owner=0', '--group=0',
    '--mode=u=rwX,go=rX', '-C', layoutDir, '--', 'blobs', 'index.json', 'oci-layout',
  ];
}

/**
 * gzip without the file name and time in its header (-n): the compressed layer then depends only on the
 * tar's bytes and gzip's own version. Level 6 is gzip's default and what registries' own tools write.
 */
export function gzipArgv(file: string): string[] {
  return ['gzip', '-n', '-6', '--stdout', file];
}

/** Byte order (what tar --sort=name uses), not the locale's: the same list on every host. */
export function sortedNames(names: string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
