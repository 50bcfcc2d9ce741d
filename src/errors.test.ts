import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppError, ERROR_CODE, ERROR_KINDS, exitCodeFor, httpStatusFor } from './errors.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}

test('every error code in the source has the one style area.snake_case', () => {
  const bad: string[] = [];
  for (const file of sources(new URL('.', import.meta.url).pathname)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/new AppError\(\s*'([^']+)'/g)) {
      if (!ERROR_CODE.test(m[1]!)) bad.push(`${file}: ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('status and exit code come from the kind, not from the spelling of the code', () => {
  const e = new AppError('thing.not_found', 'x', { kind: 'conflict' });
  assert.equal(httpStatusFor(e), 409);
  assert.equal(httpStatusFor(new AppError('x.y', 'x')), 400);
  assert.equal(httpStatusFor(new AppError('x.y', 'x', { kind: 'not_found' })), 404);
  assert.equal(exitCodeFor(new AppError('x.y', 'x', { kind: 'dependency' })), 3);
  assert.equal(exitCodeFor(new AppError('x.y', 'x', { kind: 'internal' })), 70);
  assert.equal(exitCodeFor(new Error('plain')), 70);
  for (const k of Object.keys(ERROR_KINDS) as Array<keyof typeof ERROR_KINDS>) {
    assert.ok([1, 3, 70].includes(exitCodeFor(new AppError('x.y', 'x', { kind: k }))));
  }
});
