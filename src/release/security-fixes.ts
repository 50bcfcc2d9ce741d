import type { PackageDiff } from './package-diff.ts';

export interface SecurityFix { name: string; arch: string; from: string; to: string; update: string }

/** `+deb13u2`, `~deb12u1`: Debian's revision for an update to a released stable distribution. */
const STABLE_UPDATE = /[+~](deb\d+u\d+)/;

/**
 * Upgrades that look like Debian security fixes, from version strings alone (a release stores no package
 * origin): the new version carries a stable-update revision (`+deb13u2`) that the old one did not carry.
 * Debian's security advisories (DSA, DLA) are published with such revisions, but so are point-release
 * stable updates, so this is a list of candidates, never a claim of which CVE was fixed; the Debian
 * security tracker says which advisory a version belongs to.
 */
export function securityFixes(diff: PackageDiff): SecurityFix[] {
  return diff.changed.flatMap((c) => {
    const update = STABLE_UPDATE.exec(c.to)?.[1];
    if (!update || STABLE_UPDATE.exec(c.from)?.[1] === update) return [];
    return [{ ...c, update }];
  });
}
