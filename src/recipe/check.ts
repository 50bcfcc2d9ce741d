import { existsSync, statSync } from 'node:fs';
import type { Recipe } from './schema.ts';
import type { Path } from './issues.ts';
import { parseSize } from './size.ts';
import { platforms } from '../catalog/platforms.ts';
import { releaseOf, supportedReleases } from '../catalog/distributions.ts';

export interface CheckIssue { path: Path; message: string; hint?: string }

const MIN_DISK = 1024 ** 3;

/** Rules that span fields or touch the recipe's folder: run after the schema accepted every field. */
export function checkRecipe(r: Recipe): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (!releaseOf(r.distribution)) {
    issues.push({ path: ['distribution', 'release'], message: `unknown ${r.distribution.name} release "${r.distribution.release}"`, hint: `supported: ${supportedReleases(r.distribution.name)}` });
  }
  r.files.forEach((f, i) => {
    if ((f.content === undefined) === (f.source === undefined)) {
      issues.push({ path: ['files', i], message: 'give exactly one of "content" or "source"', hint: 'content: inline text; source: a file next to the recipe' });
    } else if (f.source !== undefined && !(existsSync(f.source) && statSync(f.source).isFile())) {
      issues.push({ path: ['files', i, 'source'], message: `no such file: ${f.source}`, hint: "source is relative to the recipe's folder" });
    }
  });
  const both = r.services.enable.filter((s) => r.services.disable.includes(s));
  for (const s of both) {
    issues.push({ path: ['services', 'disable', r.services.disable.indexOf(s)], message: `service "${s}" is both enabled and disabled`, hint: 'keep it in one list' });
  }
  if (parseSize(r.disk.size) < MIN_DISK) {
    issues.push({ path: ['disk', 'size'], message: `disk of ${r.disk.size} is too small`, hint: 'use at least 1GiB; growpart enlarges the root partition at first boot' });
  }
  for (const name of Object.keys(r['cloud-init'].platforms)) {
    if (!(name in platforms)) {
      issues.push({ path: ['cloud-init', 'platforms', name], message: `unknown platform "${name}"`, hint: `one of: ${Object.keys(platforms).join(', ')}` });
    }
  }
  r.users.forEach((u, i) => {
    if (u.name === 'root') issues.push({ path: ['users', i, 'name'], message: 'root cannot be declared here', hint: 'root stays locked; use ssh.permit-root-login for policy' });
  });
  if (!r['cloud-init'].datasources.includes('None') && r['cloud-init'].datasources.length === 0) {
    issues.push({ path: ['cloud-init', 'datasources'], message: 'no datasource' });
  }
  return issues;
}
