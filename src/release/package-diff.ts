import type { PackageRef } from '../store/releases.ts';

export interface PackageDiff {
  added: PackageRef[];
  removed: PackageRef[];
  changed: Array<{ name: string; arch: string; from: string; to: string }>;
}

/** What changed between two package manifests, keyed by name and architecture; sorted by name. */
export function diffPackages(from: PackageRef[], to: PackageRef[]): PackageDiff {
  const key = (p: PackageRef) => `${p.name}:${p.arch}`;
  const before = new Map(from.map((p) => [key(p), p]));
  const after = new Map(to.map((p) => [key(p), p]));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    added: to.filter((p) => !before.has(key(p))).sort(byName),
    removed: from.filter((p) => !after.has(key(p))).sort(byName),
    changed: to.flatMap((p) => {
      const old = before.get(key(p));
      return old && old.version !== p.version ? [{ name: p.name, arch: p.arch, from: old.version, to: p.version }] : [];
    }).sort(byName),
  };
}
