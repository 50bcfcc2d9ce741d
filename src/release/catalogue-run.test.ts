import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatRunSummary, runCatalogue, selectTargets, type RunTarget } from './catalogue-run.ts';
import type { CatalogueEntry } from './catalogue-entries.ts';

const MiB = 1024 ** 2;
const target = (id: string, extra: Partial<RunTarget> = {}): RunTarget => ({ id, recipePath: `/r/${id}.yaml`, budgetQcow2: 100 * MiB, problems: [], ...extra });

describe('catalogue runs (build --all, test --all)', () => {
  it('one failed build does not stop the others; each image goes to <out>/<id>; the failure is in its row', async () => {
    const built: string[] = [];
    const rows = await runCatalogue([target('a'), target('b'), target('c')], {
      outRoot: '/out',
      build: async (t, outDir) => {
        built.push(outDir);
        if (t.id === 'b') throw new Error('apt failed\nmore lines');
        return { qcow2Bytes: 90 * MiB };
      },
    });
    assert.deepEqual(built, [join('/out', 'a'), join('/out', 'b'), join('/out', 'c')]);
    assert.deepEqual(rows.map((r) => [r.id, r.result, r.failedAt, r.error, r.qcow2Bytes]), [
      ['a', 'ok', undefined, undefined, 90 * MiB],
      ['b', 'failed', 'build', 'apt failed', undefined],
      ['c', 'ok', undefined, undefined, 90 * MiB],
    ]);
  });

  it('build --test: tests only what built; a failing QA and a test that throws both fail their image, the rest go on', async () => {
    const tested: string[] = [];
    const rows = await runCatalogue([target('a'), target('b'), target('c'), target('d')], {
      outRoot: '/out',
      build: async (t) => { if (t.id === 'a') throw new Error('disk full'); return { qcow2Bytes: MiB }; },
      test: async (t) => {
        tested.push(t.id);
        if (t.id === 'c') throw new Error('qemu did not start');
        return { passed: t.id !== 'b', pass: 40, fail: t.id === 'b' ? 2 : 0 };
      },
    });
    assert.deepEqual(tested, ['b', 'c', 'd']);
    assert.deepEqual(rows.map((r) => [r.id, r.result, r.failedAt, r.qa]), [
      ['a', 'failed', 'build', undefined],
      ['b', 'failed', 'test', { pass: 40, fail: 2 }],
      ['c', 'failed', 'test', undefined],
      ['d', 'ok', undefined, { pass: 40, fail: 0 }],
    ]);
    assert.match(rows[1]!.error!, /QA failed \(2 checks\)/);
  });

  it('a recipe that fails lint is reported with its file:line and never built', async () => {
    const built: string[] = [];
    const rows = await runCatalogue([target('bad', { problems: [{ file: 'recipes/bad.yaml', line: 7, column: 3, path: 'x', message: 'unknown key' }] }), target('ok')], {
      outRoot: '/out', build: async (t) => { built.push(t.id); return {}; },
    });
    assert.deepEqual(built, ['ok']);
    assert.equal(rows[0]!.failedAt, 'lint');
    assert.equal(rows[0]!.error, 'recipes/bad.yaml:7:3: unknown key');
  });

  it('an interrupt stops the run between images; the rest are "not run"', async () => {
    const ac = new AbortController();
    const rows = await runCatalogue([target('a'), target('b')], {
      outRoot: '/out', signal: ac.signal, build: async () => { ac.abort(); return {}; },
    });
    assert.deepEqual(rows.map((r) => r.result), ['ok', 'not run']);
  });

  it('the summary table: result, qcow2 against budget (OVER when above), QA counts, a count line', () => {
    const table = formatRunSummary([
      { id: 'base', result: 'ok', seconds: 301.24, qcow2Bytes: 90 * MiB, budgetQcow2: 100 * MiB, qa: { pass: 41, fail: 0 } },
      { id: 'hpc', result: 'failed', failedAt: 'test', error: 'QA failed (1 check)', seconds: 12, qcow2Bytes: 120 * MiB, budgetQcow2: 100 * MiB, qa: { pass: 40, fail: 1 } },
    ]);
    const lines = table.split('\n');
    assert.match(lines[0]!, /^id +result +seconds +qcow2 \/ budget +QA pass\/fail +error$/);
    assert.match(lines[1]!, /^base +ok +301\.2 +90\.0 MiB \/ 100\.0 MiB +41\/0$/);
    assert.match(lines[2]!, /^hpc +FAILED \(test\) +12\.0 +120\.0 MiB \/ 100\.0 MiB OVER +40\/1 +QA failed \(1 check\)$/);
    assert.equal(lines[3], '1 of 2 ok, 1 failed or not run');
  });

  it('--only picks catalogue ids in catalogue order and refuses an unknown id with the list', () => {
    const entries = ['a', 'b', 'c'].map((id) => ({ id, file: `/r/${id}.yaml`, problems: [] }) as CatalogueEntry);
    assert.deepEqual(selectTargets(entries, ['c', 'a']).map((t) => t.id), ['a', 'c']);
    assert.deepEqual(selectTargets(entries).map((t) => t.id), ['a', 'b', 'c']);
    assert.throws(() => selectTargets(entries, ['a', 'zz']), (e: any) => e.code === 'catalog.unknown_id' && /zz/.test(e.message) && /a, b, c/.test(e.hint));
  });

  it('a target carries the qcow2 budget only when its recipe writes a qcow2 (an OCI-only stack inherits one from base)', () => {
    const entry = (id: string, outputs: string[]) => ({ id, file: `/r/${id}.yaml`, problems: [], recipe: { outputs, 'size-budget': { qcow2: '120MiB', oci: '60MiB' } } }) as unknown as CatalogueEntry;
    const [vm, oci] = selectTargets([entry('vm', ['qcow2', 'raw']), entry('oci', ['oci'])]);
    assert.equal(vm!.budgetQcow2, 120 * MiB);
    assert.equal(oci!.budgetQcow2, undefined);
  });
});
