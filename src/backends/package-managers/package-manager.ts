import type { RunOptions } from '../host/run-command.ts';

/** An installed package, exactly as the package database records it. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
  /** Source package, for changelogs and security trackers (defaults to the package name). */
  source: string;
}

/**
 * One package exactly as a build installed it and the archive served it: enough to fetch the same
 * file again (pool path under any mirror of the archive) and to prove it is the same (sha256).
 */
export interface LockedPackage {
  name: string;
  version: string;
  architecture: string;
  /** Path under the archive root, as the Packages index names it (pool/main/...). */
  filename: string;
  size: number;
  sha256: string;
}

export interface BootstrapSpec {
  root: string;
  codename: string;
  architecture: string;
  sources: Array<{ uri: string; suites: string[]; components: string[] }>;
  keyring: string;
  packages: string[];
  /** Paths the package manager must not write (footprint), in dpkg path-exclude/include syntax. */
  pathFilters: string[];
  sourceDateEpoch: number;
  /**
   * Files in place before any package beyond the essential set is installed, so that maintainer scripts
   * read them (the initramfs configuration, before the kernel's postinst builds the initramfs).
   */
  earlyFiles?: Array<{ path: string; content: string }>;
  /** Folder kept between builds so packages are downloaded once. */
  packageCache: string;
  /**
   * Install exactly these packages (from a lock) instead of resolving against the live archive. The
   * image still names `sources` as its package sources afterwards.
   */
  locked?: LockedPackage[];
  /** Scratch folder for the package manager (package lists, a local repository); removed afterwards. */
  workDir: string;
  /** Progress lines for the build log. */
  log?: (line: string) => void;
}

/**
 * The port each distribution's package manager implements (apt now, dnf next): build a root tree
 * from an archive and report exactly what went into it.
 */
export interface PackageManager {
  name: string;
  /** Returns what it installed, with the archive's file digests: the package part of a lock. */
  bootstrap(spec: BootstrapSpec, run: (argv: string[], opts?: RunOptions) => Promise<{ stdout: string }>): Promise<LockedPackage[]>;
  installed(root: string): InstalledPackage[];
}
