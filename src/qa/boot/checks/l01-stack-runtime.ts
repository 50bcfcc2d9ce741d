import type { ShellCheck } from '../check.ts';
import { finding } from '../check.ts';
import { stackSpecs } from './stack-hello-apps.ts';

export interface RuntimeFacts {
  language: string;
  /** The version the image claims (catalog.stack.version), e.g. "3.13". */
  expected: string;
  command: string;
  code: number;
  output: string;
}

/** The first version-like token of a runtime's output: "Python 3.13.5" → "3.13.5", "go1.24.4" → "1.24.4". */
export function versionToken(output: string): string | undefined {
  return /(\d+(?:\.\d+)+|\d+)/.exec(output)?.[1];
}

/** The runtime is there and is the version the catalogue promises (a Debian 12 variant must not carry 13's). */
export function evaluateRuntime(f: RuntimeFacts) {
  const first = f.output.trim().split('\n')[0] ?? '';
  if (f.code !== 0) return [finding(`${f.language} runtime missing or broken: \`${f.command}\` exited ${f.code}: ${first || '(no output)'}`)];
  const found = versionToken(first);
  if (!found) return [finding(`\`${f.command}\` printed no version: ${first || '(no output)'}`)];
  if (found !== f.expected && !found.startsWith(`${f.expected}.`)) {
    return [finding(`${f.language} is ${found}, but the catalogue says ${f.expected}`)];
  }
  return [];
}

export const stackRuntime: ShellCheck = {
  id: 'L1',
  title: 'the language runtime is installed and is the version the catalogue names',
  async run({ sh, manifest }) {
    const stack = manifest?.stack;
    if (!stack) return { skip: 'the manifest names no catalog.stack' };
    const spec = stackSpecs[stack.language];
    if (!spec) return [finding(`no stack QA for language "${stack.language}"`)];
    const r = await sh(`${spec.versionCommand} 2>&1`, 60_000);
    return evaluateRuntime({ language: stack.language, expected: stack.version, command: spec.versionCommand, code: r.code, output: r.stdout });
  },
};
