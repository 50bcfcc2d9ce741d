import { compareDebVersions } from '../manifest/deb-version.ts';
import type { IndexPackage, SuitePackages } from '../resolve/suite-index.ts';

/** A package of a release (from its manifest: the ground truth of what the image holds). */
export interface InstalledRef { name: string; version: string; arch: string }

/** A newer version the archive offers for a package the release holds. */
export interface PendingUpdate {
  name: string;
  arch: string;
  installed: string;
  candidate: string;
  /** Where the candidate comes from: the archive URI and suite, and its .deb as the signed index names it. */
  from: { uri: string; suite: string; filename?: string; size?: number; sha256?: string };
  /** The candidate comes from a security suite. */
  security: boolean;
  /** The package runs at first boot (kernel, init, libc, TLS, cloud-init, SSH): Ubuntu's rule for a respin at once. */
  firstBoot: boolean;
}

/**
 * Packages whose change alters what a fresh instance runs before anyone logs in: a new image is due
 * whenever one of them changes, not only at the monthly respin (Ubuntu's rule, issue #11).
 */
export const FIRST_BOOT_CRITICAL: readonly RegExp[] = [
  /^linux-image-/, /^systemd$/, /^systemd-sysv$/, /^libsystemd0$/, /^libsystemd-shared$/, /^udev$/, /^libudev1$/,
  /^libc6$/, /^libc-bin$/, /^openssl$/, /^libssl3t?6?4?$/, /^libssl1\.1$/, /^cloud-init$/, /^openssh-server$/, /^openssh-client$/,
  /^openssh-sftp-server$/, /^grub-/, /^shim-/, /^initramfs-tools/, /^dracut/, /^netplan/, /^ifupdown$/, /^isc-dhcp-client$/,
];

/** A suite apt treats as security: Debian's `<codename>-security` (served from debian-security). */
export function isSecuritySuite(s: Pick<SuitePackages, 'uri' | 'suite'>): boolean {
  return /-security$/.test(s.suite) || /\/debian-security\/?$/.test(s.uri);
}

/**
 * What apt would upgrade: for each installed package, the highest version any suite offers for its
 * architecture (or `all`), when it is newer than the installed one. A candidate offered by several suites
 * counts as security when a security suite offers it. Sorted by name.
 */
export function pendingUpdates(installed: InstalledRef[], suites: SuitePackages[]): PendingUpdate[] {
  const best = new Map<string, { version: string; from: SuitePackages; deb: IndexPackage; security: boolean }>();
  for (const s of suites) {
    const security = isSecuritySuite(s);
    for (const p of s.packages) {
      const key = `${p.name} ${p.architecture}`;
      const seen = best.get(key);
      const order = seen ? compareDebVersions(p.version, seen.version) : 1;
      if (order > 0) best.set(key, { version: p.version, from: s, deb: p, security });
      else if (order === 0 && security) seen!.security = true;
    }
  }
  const out: PendingUpdate[] = [];
  for (const i of installed) {
    const c = best.get(`${i.name} ${i.arch}`) ?? best.get(`${i.name} all`);
    if (!c || compareDebVersions(c.version, i.version) <= 0) continue;
    out.push({
      name: i.name, arch: i.arch, installed: i.version, candidate: c.version,
      from: { uri: c.from.uri, suite: c.from.suite, ...(c.deb.filename ? { filename: c.deb.filename, size: c.deb.size, sha256: c.deb.sha256 } : {}) },
      security: c.security, firstBoot: FIRST_BOOT_CRITICAL.some((r) => r.test(i.name)),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}
