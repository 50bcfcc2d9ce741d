import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { recipeJsonSchema } from '../../src/recipe/json-schema.ts';
import { BUILD_TIME_CODE as SERVER_BUILD_TIME_CODE } from '../../src/library/template-recipe.ts';
import { BUILD_TIME_CODE, recipeProblems, type Problem, type RecipeValidator } from '../../web/src/library/recipe-validate.ts';
import { recipeValidatorAjv, recipeValidatorModule } from '../../web/recipe-validator-plugin.ts';

/** The portal editor's checks: every problem at the line and column where it was written. */
const schema = recipeJsonSchema();
const runtime = recipeValidatorAjv().compile(schema) as RecipeValidator;
const at = (ps: Problem[]) => ps.map((p) => `${p.line}:${p.column} ${p.severity} ${p.path}: ${p.message}`);
const HEAD = 'name: web\ndescription: A web server\ndistribution: { name: debian, release: "12" }\nsize-budget: { qcow2: 300MiB }\n';

describe('recipe problems at line and column', () => {
  it('a valid recipe, removals included, has none', () => {
    assert.deepEqual(recipeProblems(`${HEAD}packages: [nginx, "!vim-tiny"]\nfiles:\n  - path: /etc/motd\n    content: hi\n`, runtime, { schema }), []);
  });

  it('a YAML syntax error is placed where the parser stopped', () => {
    const ps = recipeProblems('name: web\npackages: [nginx\n', runtime);
    assert.equal(ps.length >= 1, true);
    assert.equal(ps[0]!.path, '(yaml)');
    assert.equal(ps[0]!.line, 3);
  });

  it('a recipe that is not a mapping is one problem at 1:1', () => {
    assert.deepEqual(at(recipeProblems('- a\n- b\n', runtime)), ['1:1 error (top level): a recipe is a YAML mapping (start with `name: ...`)']);
  });

  it('an unknown key is placed on the key, with the closest known one', () => {
    assert.deepEqual(at(recipeProblems(`${HEAD}ssh:\n  pasword-authentication: false\n`, runtime, { schema })), [
      '6:3 error ssh.pasword-authentication: unknown key "pasword-authentication" (did you mean "password-authentication"?)',
    ]);
  });

  it('a wrong type inside a list item is placed on the value, not the item, and the removal alternative stays quiet', () => {
    const ps = recipeProblems(`${HEAD}files:\n  - path: /etc/a\n    content: a\n  - path: /etc/b\n    content: b\n    mode: 777\n`, runtime);
    assert.deepEqual(at(ps), ['10:11 error files[1].mode: must be string']);
  });

  it('an enum names its values', () => {
    assert.deepEqual(at(recipeProblems('name: web\ndescription: d\ndistribution:\n  name: fedora\n  release: "40"\nsize-budget: {}\n', runtime)), [
      '4:9 error distribution.name: must be one of: debian',
    ]);
  });

  it('missing keys are reported on a recipe that extends nothing, and not on one that may inherit them', () => {
    assert.deepEqual(at(recipeProblems('packages: [nginx]\n', runtime)).map((s) => s.replace(/^\S+ /, '')).filter((s) => !s.startsWith('hint')), [
      'error (top level): missing required key "name"', 'error (top level): missing required key "description"', 'error (top level): missing required key "distribution"',
    ]);
    assert.deepEqual(recipeProblems('extends: base\npackages: [nginx]\n', runtime), []);
  });

  it('a list item never inherits: its missing key is reported on the item, even with extends', () => {
    assert.deepEqual(at(recipeProblems('extends: base\nfiles:\n  - content: x\n', runtime)), ['3:5 error files[0]: missing required key "path"']);
  });

  it('the server\'s template rules are hints: files[].source, and extends outside the official tier', () => {
    const ps = recipeProblems('extends: bsae\nfiles:\n  - path: /etc/a\n    source: ../../etc/shadow\n', runtime, { officialIds: ['base', 'stack-python'] });
    assert.deepEqual(at(ps), [
      '1:10 hint extends: "bsae" is not an official recipe id (did you mean "base"?)',
      '4:13 hint files[0].source: a template cannot read files on the server: write the file inline with `content`',
    ]);
    assert.deepEqual(recipeProblems('extends: base\n', runtime, { officialIds: ['base'] }), []);
  });

  it('the other template rules are hints too: a path in extends, archive, files where the build loads code, no size budget', () => {
    const ps = recipeProblems(`extends: ../base.yaml\narchive: { keyring: /etc/shadow }\nfiles:\n  - path: /etc/./../usr/lib/x.so\n    content: x\n`, runtime, { officialIds: ['base'] });
    assert.deepEqual(at(ps).filter((s) => s.includes(' hint ')), [
      '1:10 hint extends: extends names an official recipe by its id, never a path (e.g. `extends: base`)',
      '2:10 hint archive: a template cannot choose its archive: it builds from the distribution\'s official one',
      '4:11 hint files[0].path: a template cannot write /etc/./../usr/lib/x.so: programs and loader settings the build runs live there',
    ]);
    assert.deepEqual(at(recipeProblems('name: web\ndescription: d\ndistribution: { name: debian, release: "12" }\n', runtime)), ['1:1 hint (top level): a template needs a size budget: add `size-budget: {qcow2: 300MiB}` or extend a recipe that has one']);
    assert.deepEqual(recipeProblems(`${HEAD}files:\n  - path: /etc/usr/x\n    content: x\n`, runtime), []);
  });

  it('keys that need JSON Pointer escapes are found', () => {
    assert.deepEqual(at(recipeProblems(`${HEAD}cloud-init:\n  platforms:\n    "a/b~c": [x]\n`, runtime)).map((s) => s.replace(/: must.*/, '')), [
      '7:15 error cloud-init.platforms.a/b~c[0]',
    ]);
  });
});

describe('the browser\'s precompiled validator', () => {
  let dir: string;
  let mod: { default: RecipeValidator; schema: unknown };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-recipe-validator-'));
    writeFileSync(join(dir, 'validator.mjs'), recipeValidatorModule());
    mod = await import(pathToFileURL(join(dir, 'validator.mjs')).href);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is compiled from the schema `herd schema` prints', () => {
    assert.deepEqual(mod.schema, schema);
  });

  it('finds exactly what the run-time compiled one finds', () => {
    for (const text of [`${HEAD}ssh:\n  pasword-authentication: false\n`, 'extends: base\nfiles:\n  - content: x\n    mode: 7\n', 'packages: [1, "!x"]\n', `${HEAD}outputs: [qcow3]\n`]) {
      const browser = recipeProblems(text, mod.default, { schema: mod.schema });
      assert.notDeepEqual(browser, []);
      assert.deepEqual(browser, recipeProblems(text, runtime, { schema }), text);
    }
  });
});

describe('the editor\'s copy of the server\'s template rules', () => {
  it('refuses files in exactly the places the server refuses (the portal cannot import server code)', () => {
    assert.deepEqual(BUILD_TIME_CODE.map(String), SERVER_BUILD_TIME_CODE.map(String));
  });
});
