import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The planner is a pure function: it and everything it imports at run time (type-only imports do not
 * run) must not reach the file system, processes or the network. Checked on the source, transitively.
 */
const IMPURE = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|worker_threads)$/;

function runtimeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2]) continue; // `import type` is erased
    if (m[3] && /^\{[^}]*\}\s+from\s+$/.test(m[3]) && m[3].slice(1, m[3].indexOf('}')).split(',').every((n) => /^\s*(type\s+\S+.*)?\s*$/.test(n))) continue;
    out.push(m[4]!);
  }
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function impureReach(entry: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (file: string, via: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of runtimeImports(file)) {
      if (IMPURE.test(spec)) found.push([...via, file.replace(/.*\/src\//, 'src/'), spec].join(' → '));
      else if (spec.startsWith('.')) visit(resolve(dirname(file), spec), [...via, file.replace(/.*\/src\//, 'src/')]);
    }
  };
  visit(entry, []);
  return found;
}

test('plan-build.ts and everything it runs import no fs, child_process or network module', () => {
  assert.deepEqual(impureReach(join(import.meta.dirname, 'plan-build.ts')), []);
});

test('the import check itself catches an impure import (so the test above can fail)', () => {
  assert.ok(impureReach(join(import.meta.dirname, '..', 'engine', 'plan-inputs.ts')).some((p) => p.endsWith('node:fs')));
});
