import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CloudTarget } from '../backends/clouds/cloud-target.ts';
import { AppError } from '../errors.ts';
import { formatIssue, formatPath, type RecipeIssue } from '../recipe/issues.ts';
import { issueAt, parseYamlSource, type YamlSource } from '../recipe/yaml-source.ts';

/**
 * One kind of target (aws, openstack…): the schema of its settings in the targets file, and how an adapter is
 * made from them. Credentials are never settings: each adapter reads its ecosystem's usual places (the AWS SDK
 * default chain, clouds.yaml and OS_* variables).
 */
export interface TargetKind<C = any> {
  schema: z.ZodType<C>;
  create(name: string, config: C): CloudTarget;
}

export type TargetKinds = Record<string, TargetKind>;

/** A target as the file declares it, checked; the adapter is made when it is used. */
export interface DeclaredTarget { name: string; kind: string; create(): CloudTarget }

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The targets file: `targets:` maps each name to its `kind` and that kind's settings (docs/cloud-publishing.md). */
export function defaultTargetsFile(dataDir: string): string {
  return join(dataDir, 'targets.yaml');
}

/**
 * Reads and checks a targets file; every problem is reported at once with file:line:column, the setting's path
 * and a hint, before anything is published. An absent file is "no targets".
 */
export function readTargets(file: string, kinds: TargetKinds): DeclaredTarget[] {
  if (!existsSync(file)) return [];
  const parsed = parseYamlSource(readFileSync(file, 'utf8'), file);
  if (!parsed.source) throw targetsError(parsed.issues);
  const src = parsed.source;
  const issues: RecipeIssue[] = [];
  const top = z.strictObject({ targets: z.record(z.string(), z.record(z.string(), z.unknown())) }).safeParse(src.value);
  if (!top.success) {
    for (const i of top.error.issues) issues.push(issueAt(src, i.path as Array<string | number>, i.message, 'the file holds `targets:` mapping each target name to its settings'));
    throw targetsError(issues);
  }
  const out: DeclaredTarget[] = [];
  for (const [name, settings] of Object.entries(top.data.targets)) {
    if (!NAME.test(name)) issues.push(keyIssue(src, ['targets', name], `target name "${name}" must be lowercase letters, digits and -`, 'e.g. aws-prod'));
    const { kind, ...config } = settings as { kind?: unknown };
    const k = typeof kind === 'string' ? kinds[kind] : undefined;
    if (!k) {
      issues.push(issueAt(src, ['targets', name, 'kind'], `unknown kind ${JSON.stringify(kind)}`, `one of: ${Object.keys(kinds).join(', ')}`));
      continue;
    }
    const checked = k.schema.safeParse(config);
    if (!checked.success) {
      const hint = `see the ${kind as string} settings in docs/cloud-publishing.md`;
      for (const i of checked.error.issues) {
        const at = ['targets', name, ...(i.path as Array<string | number>)];
        // a setting the kind does not have is pointed at by its own key (credentials, say, which never belong here)
        if (i.code === 'unrecognized_keys') for (const k of i.keys) issues.push(keyIssue(src, [...at, k], `${kind as string} targets have no setting "${k}"`, `${hint}; credentials come from the cloud's own configuration, never from this file`));
        else issues.push(issueAt(src, at, i.message, hint));
      }
      continue;
    }
    out.push({ name, kind: kind as string, create: () => k.create(name, checked.data) });
  }
  if (issues.length) throw targetsError(issues);
  return out;
}

/** The declared target of that name, made; a clear error naming the file and the names it declares. */
export function targetNamed(file: string, kinds: TargetKinds, name: string): CloudTarget {
  const all = readTargets(file, kinds);
  const t = all.find((x) => x.name === name);
  if (!t) {
    throw new AppError('targets.unknown', `no target "${name}" in ${file}`, {
      kind: 'not_found', hint: all.length ? `declared: ${all.map((x) => x.name).join(', ')}` : `declare it in ${file} (docs/cloud-publishing.md), or pass --targets FILE`,
    });
  }
  return t.create();
}

function keyIssue(src: YamlSource, path: Array<string | number>, message: string, hint: string): RecipeIssue {
  return { ...(src.locate(path, true) ?? { file: src.file, line: 1, column: 1 }), path: formatPath(path), message, hint };
}

function targetsError(issues: RecipeIssue[]): AppError {
  return new AppError('targets.invalid', `the targets file has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map(formatIssue).join('\n')}`, {
    hint: 'fix the lines above; docs/cloud-publishing.md lists each kind\'s settings', details: issues,
  });
}
