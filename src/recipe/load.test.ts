import { tempDir } from '../../test/helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipe } from './load.ts';
import { RecipeError, type RecipeIssue } from './issues.ts';

const dir = tempDir('herd-recipe-');
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function issuesOf(path: string): RecipeIssue[] {
  try {
    loadRecipe(path);
  } catch (e) {
    assert.ok(e instanceof RecipeError, `expected RecipeError, got ${e}`);
    return e.issues;
  }
  assert.fail('recipe was accepted');
}

const minimal = 'name: mini\ndescription: a test image\ndistribution:\n  name: debian\n  release: "12"\n';

test('a minimal recipe gets the documented defaults', () => {
  const { recipe, digest } = loadRecipe(file('mini.yaml', minimal));
  assert.equal(recipe.architecture, 'x86_64');
  assert.deepEqual(recipe['cloud-init'].datasources, ['NoCloud', 'None']);
  assert.equal(recipe.ssh['password-authentication'], false);
  assert.equal(recipe.ssh['permit-root-login'], 'no');
  assert.deepEqual(recipe.disk.boot, ['bios', 'uefi']);
  assert.deepEqual(recipe.outputs, ['raw', 'qcow2']);
  assert.match(digest, /^[0-9a-f]{64}$/);
});

test('an unknown key is an error with line, column and a did-you-mean hint', () => {
  const issues = issuesOf(file('typo.yaml', minimal + 'footprint:\n  docs: false\n  mans: false\n')); // line 8
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.line, 8);
  assert.equal(issues[0]!.column, 3);
  assert.equal(issues[0]!.path, 'footprint.mans');
  assert.match(issues[0]!.message, /unknown key "mans"/);
  assert.match(issues[0]!.hint!, /did you mean "man"/);
});

test('every problem is reported at once, each at its own line', () => {
  const text = 'name: Bad Name\ndescription: x\ndistribution:\n  name: fedora\n  release: "12"\npackages:\n  - ok\n  - "Not A Package"\ndisk:\n  size: huge\n';
  const issues = issuesOf(file('many.yaml', text));
  const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
  assert.equal(byPath['name']?.line, 1);
  assert.equal(byPath['distribution.name']?.line, 4);
  assert.match(byPath['distribution.name']!.hint!, /debian/);
  assert.equal(byPath['packages[1]']?.line, 8);
  assert.equal(byPath['disk.size']?.line, 10);
  assert.equal(issues.length, 4);
});

test('a missing required field points at the object that lacks it', () => {
  const issues = issuesOf(file('missing.yaml', 'name: x\ndistribution:\n  name: debian\n  release: "12"\n'));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path, 'description');
  assert.match(issues[0]!.hint!, /required/);
});

test('YAML syntax errors carry their position', () => {
  const issues = issuesOf(file('syntax.yaml', 'name: x\ndescription: [unclosed\n'));
  assert.equal(issues[0]!.path, '(yaml)');
  assert.ok(issues[0]!.line >= 2);
});

test('cross-field checks: files need exactly one of content/source; sources must exist', () => {
  const text = minimal + 'files:\n  - path: /etc/a\n  - path: /etc/b\n    source: nope.txt\n';
  const issues = issuesOf(file('files.yaml', text));
  assert.deepEqual(issues.map((i) => [i.path, i.line]), [['files[0]', 7], ['files[1].source', 9]]);
});

test('extends: lists merge, scalars override, "!x" removes, errors point into the right file', () => {
  file('parent.yaml', minimal + 'packages: [curl, vim]\noutputs: [raw, qcow2]\ndisk:\n  size: 2GiB\n');
  const child = file('child.yaml', 'extends: parent.yaml\nname: child\npackages: [git, "!vim"]\noutputs: [vmdk]\ndisk:\n  size: 3GiB\n');
  const { recipe, chain } = loadRecipe(child);
  assert.equal(recipe.name, 'child');
  assert.equal(recipe.description, 'a test image');
  assert.deepEqual(recipe.packages, ['curl', 'git']);
  assert.deepEqual(recipe.outputs, ['raw', 'qcow2', 'vmdk']);
  assert.equal(recipe.disk.size, '3GiB');
  assert.equal(chain.length, 2);

  file('badparent.yaml', minimal + 'ssh:\n  password-auth: true\n');
  const issues = issuesOf(file('badchild.yaml', 'extends: badparent.yaml\nname: c\npackages: [ok, "BAD"]\n'));
  const parentIssue = issues.find((i) => i.path === 'ssh.password-auth')!;
  assert.match(parentIssue.file, /badparent\.yaml$/);
  assert.equal(parentIssue.line, 7);
  const childIssue = issues.find((i) => i.path === 'packages[1]')!;
  assert.match(childIssue.file, /badchild\.yaml$/);
  assert.equal(childIssue.line, 3);
});

test('extends: keyed lists replace entries with the same key', () => {
  file('fp.yaml', minimal + 'files:\n  - path: /etc/motd\n    content: parent\n  - path: /etc/issue\n    content: keep\n');
  const { recipe } = loadRecipe(file('fc.yaml', 'extends: fp.yaml\nname: fc\nfiles:\n  - path: /etc/motd\n    content: child\n'));
  assert.deepEqual(recipe.files.map((f) => [f.path, f.content]), [['/etc/motd', 'child'], ['/etc/issue', 'keep']]);
});

test('extends cycles and missing parents are errors at the extends line', () => {
  file('a.yaml', 'extends: b.yaml\n' + minimal);
  file('b.yaml', 'extends: a.yaml\n' + minimal);
  const cycle = issuesOf(join(dir, 'a.yaml'));
  assert.match(cycle[0]!.message, /cycle/);
  const missing = issuesOf(file('orphan.yaml', minimal + 'extends: nowhere.yaml\n'));
  assert.equal(missing[0]!.line, 6);
  assert.match(missing[0]!.message, /no such recipe/);
});

test('the digest changes with any input, including the content of a source file', () => {
  const src = file('motd.txt', 'hello\n');
  const r = file('digest.yaml', minimal + 'files:\n  - path: /etc/motd\n    source: motd.txt\n');
  const d1 = loadRecipe(r).digest;
  assert.equal(loadRecipe(r).digest, d1);
  writeFileSync(src, 'changed\n');
  assert.notEqual(loadRecipe(r).digest, d1);
});

test('unknown platform and release are cross-check errors with hints', () => {
  const text = 'name: x\ndescription: d\ndistribution:\n  name: debian\n  release: "99"\ncloud-init:\n  platforms:\n    marscloud: [NoCloud]\n';
  const issues = issuesOf(file('plat.yaml', text));
  assert.deepEqual(issues.map((i) => i.path).sort(), ['cloud-init.platforms.marscloud', 'distribution.release']);
  assert.equal(issues.find((i) => i.path === 'cloud-init.platforms.marscloud')!.line, 8);
});

test('extends: "!x" removes from keyed lists by key (files by path, users by name) and packages by name', () => {
  file('kp.yaml', minimal + 'packages: [curl, vim=2:9.0.1378-2]\nfiles:\n  - path: /etc/motd\n    content: parent\n  - path: /etc/issue\n    content: keep\n'
    + 'users:\n  - name: alice\n  - name: bob\n');
  const { recipe } = loadRecipe(file('kc.yaml', 'extends: kp.yaml\nname: kc\nfiles: ["!/etc/motd"]\nusers: ["!alice"]\npackages: ["!vim"]\n'));
  assert.deepEqual(recipe.files.map((f) => f.path), ['/etc/issue']);
  assert.deepEqual(recipe.users.map((u) => u.name), ['bob']);
  assert.deepEqual(recipe.packages, ['curl']);
});

test('extends: a removal may also take an item out of a preference list; mixing it with new items is an error', () => {
  const { recipe } = loadRecipe(file('pc.yaml', 'extends: kp.yaml\nname: pc\ndisk:\n  boot: ["!bios"]\n'));
  assert.deepEqual(recipe.disk.boot, ['uefi']);
  file('pp.yaml', minimal + 'cloud-init:\n  datasources: [NoCloud, None]\n');
  const issues = issuesOf(file('pm.yaml', 'extends: pp.yaml\nname: pm\ncloud-init:\n  datasources: [Ec2, "!None"]\n'));
  assert.deepEqual(issues.map((i) => [i.path, i.line, i.column]), [['cloud-init.datasources[1]', 4, 22]]);
  assert.match(issues[0]!.hint!, /preference list/);
});

test('a removal that matches nothing is an error at its line and column, with a hint', () => {
  file('up.yaml', minimal + 'packages: [curl, vim]\nfiles:\n  - path: /etc/motd\n    content: x\n');
  const issues = issuesOf(file('uc.yaml', 'extends: up.yaml\nname: uc\npackages:\n  - git\n  - "!no-such-package"\n  - "!vmi"\nfiles: ["!/etc/issue"]\nusers: ["!alice"]\n'));
  const at = Object.fromEntries(issues.map((i) => [i.path, i]));
  assert.deepEqual(issues.map((i) => i.path).sort(), ['files[0]', 'packages[1]', 'packages[2]', 'users[0]']);
  assert.match(at['packages[1]']!.file, /uc\.yaml$/);
  assert.deepEqual([at['packages[1]']!.line, at['packages[1]']!.column], [5, 5]);
  assert.match(at['packages[1]']!.message, /"!no-such-package" removes nothing/);
  assert.match(at['packages[1]']!.hint!, /packages holds: curl, vim/);
  assert.match(at['packages[2]']!.hint!, /did you mean "!vim"/);
  assert.deepEqual([at['files[0]']!.line, at['files[0]']!.column], [7, 9]);
  assert.match(at['files[0]']!.hint!, /\/etc\/motd/);
  assert.match(at['users[0]']!.hint!, /inherits nothing/);
  // the message names the file, line and column as `herd lint` prints it
  try { loadRecipe(join(dir, 'uc.yaml')); } catch (e) { assert.match((e as Error).message, /uc\.yaml:5:5: packages\[1\]: "!no-such-package" removes nothing/); }
});

test('a removal in a recipe that extends nothing is an error, not a package named "!x"; one from a default list works', () => {
  const issues = issuesOf(file('root-rm.yaml', minimal + 'packages: [curl, "!vim"]\n'));
  assert.deepEqual(issues.map((i) => [i.path, i.line, i.column, /removes nothing/.test(i.message)]), [['packages[1]', 6, 18, true]]);
  // outputs defaults to [raw, qcow2] and disk.boot to [bios, uefi]: removals apply to the default
  const { recipe } = loadRecipe(file('root-def.yaml', minimal + 'outputs: ["!qcow2", vmdk]\ndisk:\n  boot: ["!bios"]\n'));
  assert.deepEqual(recipe.outputs, ['raw', 'vmdk']);
  assert.deepEqual(recipe.disk.boot, ['uefi']);
  assert.match(issuesOf(file('root-def2.yaml', minimal + 'outputs: ["!vhd"]\n'))[0]!.hint!, /outputs holds: raw, qcow2/);
});

test('a recipe given as text loads like a file: issues at line:col of the text, extends only through the file the caller resolved', async () => {
  const { loadRecipeText } = await import('./load.ts');
  const parent = file('text-parent.yaml', minimal + 'packages: [less]\n');
  const loaded = loadRecipeText('name: child\ndescription: from text\nextends: parent\npackages: [curl]\n', { name: 'recipe.yaml', extendsFile: parent });
  assert.deepEqual(loaded.recipe.packages, ['less', 'curl']);
  assert.deepEqual(loaded.chain, ['recipe.yaml', parent]);
  const issuesOfText = (text: string, extendsFile?: string) => {
    try { loadRecipeText(text, { name: 'recipe.yaml', extendsFile }); } catch (e) { assert.ok(e instanceof RecipeError); return e.issues; }
    assert.fail('recipe was accepted');
  };
  const typo = issuesOfText(minimal + 'pakages: [x]\n');
  assert.deepEqual(typo.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`), ['recipe.yaml:6:1 unknown key "pakages"']);
  assert.match(issuesOfText(minimal + 'extends: ../../etc/passwd\n')[0]!.message, /cannot extend another here/);
  const sourced = issuesOfText(minimal + 'files:\n  - path: /etc/x\n    source: /etc/shadow\n');
  assert.deepEqual(sourced.map((i) => [i.path, i.line]), [['files[0].source', 8]]);
  assert.equal(issuesOfText('name: [\n')[0]!.path, '(yaml)');
});
