import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage } from './package-manager.ts';

/** Parses var/lib/dpkg/status (deb822 stanzas) of a root tree: the installed packages, sorted by name. */
export function readDpkgStatus(root: string): InstalledPackage[] {
  return parseDpkgStatus(readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8'));
}

export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    if (!name || !/install ok installed/.test(field('Status') ?? '')) continue;
    const version = field('Version') ?? '';
    const source = (field('Source') ?? name).split(' ')[0]!;
    out.push({ name, version, architecture: field('Architecture') ?? '', source });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
