import catalogue from './host-tools.json' with { type: 'json' };

/**
 * Host programs and files Herd needs and the Debian package of each, from host-tools.json: the one list that
 * `herd doctor`, scripts/setup-host.sh and the error hints all read.
 */
export type HostUse = 'build' | 'qa' | 'service' | 'test';
export interface HostRequirement {
  /** A program name (looked up on the host PATH) or an absolute file path. */
  name: string;
  kind: 'program' | 'file';
  package: string;
  for: readonly HostUse[];
}

type Entry = { package: string; for: string[] };
const USES: readonly string[] = ['build', 'qa', 'service', 'test'];

function entries(kind: HostRequirement['kind'], list: Record<string, Entry>): HostRequirement[] {
  return Object.entries(list).map(([name, e]) => {
    // the JSON is ours and checked by a test; this guards a hand edit that would make doctor check nothing
    if (!e.package || !e.for.length || e.for.some((u) => !USES.includes(u))) throw new Error(`host-tools.json: bad entry ${name}`);
    return { name, kind, package: e.package, for: e.for as HostUse[] };
  });
}

export const hostRequirements: readonly HostRequirement[] = [
  ...entries('program', catalogue.programs),
  ...entries('file', catalogue.files),
];

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** The Debian packages that provide everything in the catalogue (optionally only what `use` needs), sorted. */
export function hostPackages(use?: HostUse): string[] {
  return [...new Set(hostRequirements.filter((r) => !use || r.for.includes(use)).map((r) => r.package))].sort();
}

/** The Debian package that provides a program or file, for error hints. */
export function packageFor(tool: string): string | undefined {
  return hostRequirements.find((r) => r.name === tool)?.package;
}
