import { finding } from '../boot/check.ts';
import type { Finding } from '../types.ts';

export const IMAGE_IDENTITY = {
  id: 'O1',
  title: 'the container image loads, runs without network, and its os-release names the image and version',
};

export interface IdentityFacts {
  /** What podman load printed, and its exit code. */
  load: { code: number; output: string };
  /** The reference podman loaded (from its "Loaded image: …" line). */
  ref?: string;
  /** The manifest digest podman reports for the loaded image, and the one the build recorded. */
  digest?: string;
  expectedDigest?: string;
  /** /etc/os-release as read inside a running container (undefined when no container could start). */
  osRelease?: string;
  start?: { code: number; output: string };
  expected: { name?: string; version?: string };
}

/** The reference in podman load's output ("Loaded image: localhost/herd-base:1" or "Loaded image(s): …"). */
export function loadedRef(output: string): string | undefined {
  return /^Loaded image(?:\(s\))?: (\S+)/m.exec(output)?.[1];
}

const osField = (text: string, key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1];

export function evaluateIdentity(f: IdentityFacts): Finding[] {
  const last = (s: string) => s.trim().split('\n').slice(-2).join(' | ');
  if (f.load.code !== 0 || !f.ref) return [finding(`podman load failed (exit ${f.load.code}): ${last(f.load.output) || 'no image loaded'}`)];
  if (!f.start || f.start.code !== 0 || f.osRelease === undefined) {
    return [finding(`no container of ${f.ref} could start without network: ${f.start ? last(f.start.output) : 'not tried'}`)];
  }
  const out: Finding[] = [];
  if (f.expectedDigest && f.digest !== f.expectedDigest) {
    out.push(finding(`podman loaded manifest ${f.digest ?? '(none)'}, but the build recorded ${f.expectedDigest}`));
  }
  const id = osField(f.osRelease, 'IMAGE_ID');
  const version = osField(f.osRelease, 'IMAGE_VERSION');
  if (f.expected.name && id !== f.expected.name) out.push(finding(`IMAGE_ID is ${id ?? 'missing'}, expected ${f.expected.name}`, '/etc/os-release'));
  if (f.expected.version && version !== f.expected.version) out.push(finding(`IMAGE_VERSION is ${version ?? 'missing'}, expected ${f.expected.version}`, '/etc/os-release'));
  return out;
}
