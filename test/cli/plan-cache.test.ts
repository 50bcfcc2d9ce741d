import { tempDir } from '../helpers/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `herd plan` only looks: it reports which steps are cached without marking them used, so planning
 * never keeps an entry alive past `herd cache prune`. Runs against a lock, so nothing is fetched.
 */
const repo = resolve(import.meta.dirname, '../..');
const dir = tempDir('herd-plan-cache-');
const cacheDir = join(dir, 'cache');
const recipe = join(dir, 'mini.yaml');
writeFileSync(recipe, 'name: mini\ndescription: d\ndistribution:\n  name: debian\n  release: "12"\noutputs: [raw]\nfiles:\n  - path: /etc/x\n    source: x.txt\n');
writeFileSync(join(dir, 'x.txt'), 'hello\n');
const lock = join(dir, 'resolved.json');
writeFileSync(lock, JSON.stringify({
  schemaVersion: 2, codename: 'bookworm', sourceDateEpoch: 1795486335, imageVersion: '2026.11.24.0',
  archive: { sources: [{ uri: 'http://deb.debian.org/debian', suites: ['bookworm'], components: ['main'] }], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' },
  suites: [{ uri: 'http://deb.debian.org/debian', suite: 'bookworm', date: 'Tue, 24 Nov 2026 02:12:15 UTC', epoch: 1795486335, inReleaseSha256: 'a'.repeat(64) }],
  packages: [{ name: 'base-files', version: '12.4+deb12u12', architecture: 'amd64', filename: 'pool/main/b/base-files/base-files_12.4+deb12u12_amd64.deb', size: 70000, sha256: 'b'.repeat(64) }],
}));

function herd(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', cwd: repo, env: { ...process.env, HERD_CACHE: cacheDir } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('herd plan reports cached steps without touching their timestamps; prune still sees them as unused', () => {
  const plan = JSON.parse(herd('plan', recipe, '--lock', lock, '--json')) as { steps: Array<{ id: string }> };
  const monthAgo = new Date(Date.now() - 30 * 86_400_000);
  const metas = plan.steps.map((s) => {
    mkdirSync(join(cacheDir, 'steps', s.id), { recursive: true });
    const meta = join(cacheDir, 'steps', s.id, 'meta.json');
    writeFileSync(meta, '{"stage":"x"}');
    utimesSync(meta, monthAgo, monthAgo);
    return meta;
  });
  const before = metas.map((m) => [statSync(m).mtimeMs, statSync(m).atimeMs]);

  const out = herd('plan', recipe, '--lock', lock, '--cache', cacheDir);
  assert.equal(out.match(/ cached /g)?.length, plan.steps.length, out);
  assert.deepEqual(metas.map((m) => [statSync(m).mtimeMs, statSync(m).atimeMs]), before, 'herd plan changed cache entry timestamps');

  const pruned = herd('cache', 'prune', '--older-than', '14', '--cache', cacheDir);
  assert.match(pruned, new RegExp(`removed ${plan.steps.length} step`));
});

test('the plan does not carry a file source\'s path, only its content, and is the same however often it is made', () => {
  const a = herd('plan', recipe, '--lock', lock, '--json');
  assert.equal(herd('plan', recipe, '--lock', lock, '--json'), a);
  assert.ok(a.includes(Buffer.from('hello\n').toString('base64')));
  assert.ok(!a.includes(join(dir, 'x.txt')));
});
