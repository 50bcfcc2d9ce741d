import type { RunOptions } from '../host/run-command.ts';

/** An installed package, exactly as the package database records it. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
  /** Source package, for changelogs and security trackers (defaults to the package name). */
  source: string;
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
  /** Folder kept between builds so packages are downloaded once. */
  packageCache: string;
}

/**
 * The port each distribution's package manager implements (apt now, dnf next): build a root tree
 * from an archive and report exactly what went into it.
 */
export interface PackageManager {
  name: string;
  bootstrap(spec: BootstrapSpec, run: (argv: string[], opts?: RunOptions) => Promise<unknown>): Promise<void>;
  installed(root: string): InstalledPackage[];
}
