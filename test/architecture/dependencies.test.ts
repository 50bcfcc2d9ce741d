import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkGraph, parseImports, readSourceTree } from './import-graph.ts';

/**
 * Pure-layer files that still read files, each a known debt of issue #8 ("herd plan is not pure"): the check
 * fails when one of them stops doing I/O, so this list can only shrink.
 */
const IO_DEBT = new Map([
  ['recipe/load.ts', 'reads recipe files and their includes'],
  ['recipe/yaml-source.ts', 'reads a YAML file for line:col positions'],
  ['recipe/check.ts', 'checks that referenced files exist'],
]);

/** Files that load code which is not in src/ (so neither tsc nor this check could follow it anyway), with why. */
const BUILD_OUTPUT_LOADERS = new Map([
  ['api/home-render.ts', "the portal's server renderer, built by npm run build:web into web/dist/.server under a content-hashed name"],
]);

describe('dependencies point one way', () => {
  it('no src file imports a higher layer, and the pure layer does no I/O', () => {
    const violations = checkGraph(readSourceTree(join(import.meta.dirname, '../../src')), IO_DEBT, BUILD_OUTPUT_LOADERS);
    assert.deepEqual(violations.map((v) => `src/${v.file}:${v.line}: ${v.message}`), []);
  });
});

describe('the checker', () => {
  const graph = (files: Record<string, string>) => new Map(Object.entries(files));

  it('catches a planted upward import in each direction the issue names', () => {
    const v = checkGraph(graph({
      'backends/host/x.ts': "import { stage } from '../../stages/stage.ts';\nimport { q } from '../../qa/index.ts';\nimport { c } from '../../cli/main.ts';\n",
      'stages/s.ts': "import { buildImage } from '../engine/build-image.ts';\n",
      'engine/e.ts': "import { qaGate } from '../qa/qa-gate.ts';\n",
      'qa/q.ts': "export { x } from '../api/app.ts';\n",
      'stages/stage.ts': '', 'qa/index.ts': '', 'cli/main.ts': '', 'engine/build-image.ts': '', 'qa/qa-gate.ts': '', 'api/app.ts': '',
    }));
    assert.deepEqual(v.map((x) => `${x.file}:${x.line}`), ['backends/host/x.ts:1', 'backends/host/x.ts:2', 'backends/host/x.ts:3', 'stages/s.ts:1', 'engine/e.ts:1', 'qa/q.ts:1']);
    assert.match(v[0]!.message, /backend \(backends\) imports stage/);
  });

  it('allows downward and same-layer imports, and type-only imports in any direction', () => {
    assert.deepEqual(checkGraph(graph({
      'cli/a.ts': "import { b } from '../engine/b.ts';\nimport { s } from '../api/server.ts';\n",
      'engine/b.ts': "import { c } from '../stages/c.ts';\nimport { e } from '../errors.ts';\n",
      'stages/c.ts': "import type { R } from '../engine/b.ts';\nimport { type S, type T } from '../engine/b.ts';\nimport { r } from '../backends/host/run-command.ts';\n",
      'backends/host/run-command.ts': "import { p } from '../../catalog/host-tools.ts';\nimport { spawn } from 'node:child_process';\n",
      'api/server.ts': '', 'errors.ts': '', 'catalog/host-tools.ts': '',
    })), []);
  });

  it('lets a listed file load a build output by a computed path, and reports a listing that is no longer needed', () => {
    const files = graph({ 'api/r.ts': 'const m = await import(pathToFileURL(f).href);\n', 'api/s.ts': 'const n = await import(url);\n', 'api/t.ts': '' });
    const v = checkGraph(files, new Map(), new Map([['api/r.ts', 'a build output'], ['api/t.ts', 'gone']]));
    assert.deepEqual(v.map((x) => `${x.file}:${x.line}`), ['api/s.ts:1', 'api/t.ts:1']);
    assert.match(v[1]!.message, /no longer needed|has none/);
  });

  it('catches a dynamic import through a variable, and sees a literal one', () => {
    const v = checkGraph(graph({
      'worker/h.ts': "const ENGINE = '../engine/build-image.ts';\nconst m = await import(ENGINE);\n",
      'stages/s.ts': "const m = await import('../engine/build-image.ts');\n",
      'engine/build-image.ts': '',
    }));
    assert.deepEqual(v.map((x) => `${x.file}:${x.line}`), ['worker/h.ts:2', 'stages/s.ts:1']);
    assert.match(v[0]!.message, /literal path/);
  });

  it('catches I/O in the pure layer, unplaced folders, and stale allowances', () => {
    const v = checkGraph(graph({
      'plan/p.ts': "import { readFileSync } from 'node:fs';\nimport { createHash } from 'node:crypto';\n",
      'recipe/r.ts': "import { x } from '../catalog/c.ts';\n",
      'catalog/c.ts': "import { spawn } from 'child_process';\n",
      'gadgets/g.ts': '',
    }), new Map([['recipe/r.ts', 'was reading files']]));
    assert.deepEqual(v.map((x) => `${x.file}:${x.line}`).sort(), ['catalog/c.ts:1', 'gadgets/g.ts:1', 'plan/p.ts:1', 'recipe/r.ts:1']);
  });

  it('parses every import form and ignores commented-out ones', () => {
    const { imports, opaque } = parseImports([
      "import a from './a.ts';",
      "import type { B } from './b.ts';",
      "import './side-effect.ts';",
      "export * from './c.ts';",
      '// import { d } from "./d.ts";',
      "/* import { e } from './e.ts'; */",
      "type M = typeof import('./f.ts');",
      "const g = () => import('./g.ts');",
      "import {\n  h,\n  i,\n} from './h.ts';",
    ].join('\n'));
    assert.deepEqual(imports.map((i) => [i.specifier, i.typeOnly]), [
      ['./a.ts', false], ['./b.ts', true], ['./side-effect.ts', false], ['./c.ts', false], ['./h.ts', false], ['./f.ts', true], ['./g.ts', false],
    ]);
    assert.deepEqual(opaque, []);
  });
});
