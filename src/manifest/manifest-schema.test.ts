import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifestText, qaView } from './manifest-schema.ts';

const sha = 'a'.repeat(64);
const minimal = {
  schemaVersion: 1, name: 'base', architecture: 'x86_64', recipeDigest: 'sha256:x',
  packages: [{ name: 'bash', version: '5', architecture: 'amd64', source: 'bash' }],
  outputs: [{ format: 'qcow2', file: 'disk.qcow2', platform: 'generic', size: 1, allocated: 4096, sha256: sha }],
};

test('the manifest schema: versioned, required fields named by path, QA record complete or refused', () => {
  assert.equal(parseManifestText(JSON.stringify(minimal)).ok, true);
  const v9 = parseManifestText(JSON.stringify({ ...minimal, schemaVersion: 9 }));
  assert.equal(v9.ok, false);
  assert.deepEqual(!v9.ok && v9.issues.map((i) => i.path), ['schemaVersion']);
  const bad = parseManifestText(JSON.stringify({ ...minimal, architecture: undefined, outputs: [{ ...minimal.outputs[0], file: '../x' }] }));
  assert.deepEqual(!bad.ok && bad.issues.map((i) => i.path).sort(), ['architecture', 'outputs.0.file']);
  const qa = { passed: true, testedAt: 't', report: 'qa/report.json', reportSha256: sha, image: { file: 'disk.qcow2', sha256: sha } };
  assert.equal(parseManifestText(JSON.stringify({ ...minimal, qa })).ok, true);
  for (const drop of ['reportSha256', 'image'] as const) {
    const { [drop]: _, ...partial } = qa;
    assert.equal(parseManifestText(JSON.stringify({ ...minimal, qa: partial })).ok, false, drop);
  }
  assert.equal(parseManifestText(JSON.stringify({ ...minimal, qa: { ...qa, report: '/etc/passwd' } })).ok, false);
  assert.equal(parseManifestText('{oops').ok, false);
});

test("QA's view reads what the writer writes (qaSuites, platform of the image) and skips fields that do not fit", () => {
  const v = qaView({ ...minimal, qaSuites: ['base'], footprint: { docs: false, locales: ['en'] }, ssh: { passwordAuthentication: false, rootLogin: 'no' } }, 'disk.qcow2');
  assert.deepEqual(v, { name: 'base', architecture: 'x86_64', footprint: { docs: false, man: undefined, locales: ['en'] }, ssh: { passwordAuthentication: false, rootLogin: 'no' }, suites: ['base'], platform: 'generic' });
  const partial = qaView({ footprint: 'nope', ssh: { rootLogin: 3 }, outputs: [{ file: 'disk.raw', platform: 'ec2' }] }, 'disk.raw');
  assert.deepEqual(partial, { name: undefined, architecture: undefined, footprint: undefined, ssh: undefined, suites: undefined, platform: 'ec2' });
  assert.deepEqual(qaView(null), qaView({}));
});
