import { tempDir } from '../helpers/temp-dir.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hasTools } from '../helpers/host.ts';
import { makeDeb, makeSigningKey, serveDir, writeArchive, type SigningKey } from '../helpers/apt-archive.ts';
import { loadRecipe } from '../../src/recipe/load.ts';
import { resolveInputs, type Resolved } from '../../src/resolve/resolve.ts';
import { withPackages } from '../../src/resolve/lock-file.ts';
import { planBuild } from '../../src/plan/plan-build.ts';
import { readPlanInputs } from '../../src/engine/plan-inputs.ts';
import { stepId } from '../../src/plan/hash.ts';
import { stageVersions } from '../../src/plan/stage-versions.ts';
import type { Plan, PlanStep } from '../../src/plan/plan-types.ts';
import { executePlan } from '../../src/engine/execute.ts';
import { StepCache } from '../../src/engine/step-cache.ts';
import { defaultCacheDir } from '../../src/engine/cache-dir.ts';
import { readDpkgStatus } from '../../src/backends/package-managers/dpkg-status.ts';
import type { LockedPackage } from '../../src/backends/package-managers/package-manager.ts';

/**
 * A lock pins packages: against a real signed archive built here (herd-canary 1.0, served from
 * 127.0.0.1), a build records the canary in its lock; the archive then moves on (2.0 replaces 1.0, whose
 * file is deleted), and a build with the lock still installs 1.0 (from the package cache, checked by
 * sha256) and is labelled with the locked archive state, while a build without it installs 2.0.
 *
 * Only the rootfs step runs, with its package list cut to the canary (mmdebstrap adds the essential
 * set): the lock does not depend on how many packages there are, and this keeps three builds cheap.
 * Debian's .debs come from the shared package cache ($HERD_CACHE/packages), so they are fetched once.
 */
const repo = resolve(import.meta.dirname, '../..');
const root = process.getuid?.() === 0;
const tools = hasTools('mmdebstrap', 'dpkg-deb', 'dpkg-scanpackages', 'gpg', 'gpgv', 'gpgconf');
const skip = !root ? 'needs root (mmdebstrap --mode=root)' : !tools ? 'needs mmdebstrap, dpkg-dev, gpg and gpgv (bash scripts/setup-host.sh)' : false;

const dir = tempDir('herd-lock-it-');
const archiveRoot = join(dir, 'archive');
const cache = new StepCache(join(dir, 'cache'), join(defaultCacheDir(), 'packages'));
let key: SigningKey;
let server: { url: string; close(): Promise<void> };
let recipe = '';
let v1Sha = '';
const v1Date = new Date(Math.floor(Date.now() / 1000) * 1000 - 7200_000);
const v2Date = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

before(async () => {
  if (skip) return;
  key = makeSigningKey(dir);
  const v1 = makeDeb(dir, 'herd-canary', '1.0');
  v1Sha = createHash('sha256').update(readFileSync(v1)).digest('hex');
  writeArchive(archiveRoot, 'canary', [v1], key, v1Date);
  server = await serveDir(archiveRoot);
  // the Debian keys and the test archive's key in one keyring, as apt's signed-by and gpgv take it
  const keyring = join(dir, 'keyring.gpg');
  writeFileSync(keyring, Buffer.concat([readFileSync('/usr/share/keyrings/debian-archive-keyring.gpg'), readFileSync(key.keyring)]));
  recipe = join(dir, 'canary.yaml');
  writeFileSync(recipe, [
    `extends: ${join(repo, 'test/fixtures/recipes/minimal-bookworm.yaml')}`,
    'name: canary', 'archive:', '  sources:',
    '    - { uri: "http://deb.debian.org/debian", suites: [bookworm, bookworm-updates], components: [main] }',
    '    - { uri: "http://deb.debian.org/debian-security", suites: [bookworm-security], components: [main] }',
    `    - { uri: "${server.url}", suites: [canary], components: [main] }`,
    `  keyring: ${keyring}`, 'packages: [herd-canary]', '',
  ].join('\n'));
});

after(async () => {
  await server?.close();
  key?.close();
});

/** The plan's rootfs step with only the canary to install (everything else of the step as planned). */
function rootfsOnly(plan: Plan): Plan {
  const planned = plan.steps.find((s) => s.stage === 'rootfs')!;
  const options = { ...(planned.options as Record<string, unknown>), packages: ['herd-canary'] };
  const step: PlanStep = { ...planned, options, id: stepId(`rootfs@${stageVersions.rootfs}`, options, []) };
  return { ...plan, steps: [step], outputs: [], treeStep: step.id };
}

async function buildRootfs(lockFile?: string): Promise<{ resolved: Resolved; plan: Plan; tree: string; lock: LockedPackage[]; sources: string }> {
  const loaded = loadRecipe(recipe);
  const resolved = await resolveInputs(loaded, { lockFile });
  const plan = planBuild(loaded, resolved, readPlanInputs(loaded));
  const small = rootfsOnly(plan);
  const log: string[] = [];
  const { artifacts } = await executePlan(small, { cache, targets: [small.treeStep], reporter: { onStepLog: (_s, l) => log.push(l) } })
    .catch((e) => { throw Object.assign(e, { message: `${e.message}\n${log.slice(-30).join('\n')}` }); });
  const a = artifacts.get(small.treeStep)!;
  const tree = join(a.dir, 'tree');
  return { resolved, plan, tree, lock: a.meta.lock as LockedPackage[], sources: readFileSync(join(tree, 'etc/apt/sources.list'), 'utf8') };
}

const canaryIn = (tree: string) => ({
  status: readDpkgStatus(tree).find((p) => p.name === 'herd-canary')?.version,
  file: readFileSync(join(tree, 'usr/share/herd-canary/version'), 'utf8').trim(),
});

let first: Awaited<ReturnType<typeof buildRootfs>>;
const lockFile = join(dir, 'resolved.json');

test('a build records every installed package with its archive file and sha256; the canary is 1.0', { skip }, async () => {
  first = await buildRootfs();
  assert.deepEqual(canaryIn(first.tree), { status: '1.0', file: '1.0' });
  const canary = first.lock.find((p) => p.name === 'herd-canary');
  assert.deepEqual(canary, { name: 'herd-canary', version: '1.0', architecture: 'all', filename: 'pool/main/herd-canary_1.0_all.deb', size: canary!.size, sha256: v1Sha });
  const installed = readDpkgStatus(first.tree);
  assert.deepEqual(first.lock.map((p) => `${p.name} ${p.version} ${p.architecture}`), installed.map((p) => `${p.name} ${p.version} ${p.architecture}`));
  assert.ok(first.lock.every((p) => /^[0-9a-f]{64}$/.test(p.sha256) && p.filename.endsWith('.deb')));
  assert.equal(first.resolved.sourceDateEpoch, v1Date.getTime() / 1000, 'the canary archive is the newest suite');
  writeFileSync(lockFile, JSON.stringify(withPackages(first.resolved, first.lock), null, 2));
});

test('after the archive moves to 2.0 (1.0 deleted), a locked build still installs 1.0, labelled with the locked state', { skip }, async () => {
  assert.ok(first, 'the first build ran');
  writeArchive(archiveRoot, 'canary', [makeDeb(dir, 'herd-canary', '2.0')], key, v2Date);

  // herd plan --lock (the CLI, no network): the locked package set is part of the rootfs step and its id
  const planned = await herdJson(['plan', recipe, '--lock', lockFile, '--json']) as Plan;
  const rootfs = planned.steps.find((s) => s.stage === 'rootfs')!;
  assert.equal(planned.sourceDateEpoch, first.resolved.sourceDateEpoch);
  assert.deepEqual((rootfs.options as { locked: LockedPackage[] }).locked.find((p) => p.name === 'herd-canary')?.version, '1.0');
  assert.notEqual(rootfs.id, first.plan.steps.find((s) => s.stage === 'rootfs')!.id, 'a locked rootfs never reuses a live one');

  const locked = await buildRootfs(lockFile);
  assert.deepEqual(canaryIn(locked.tree), { status: '1.0', file: '1.0' });
  assert.deepEqual(locked.lock, first.lock, 'exactly the locked package set');
  assert.deepEqual(locked.resolved.suites, first.resolved.suites);
  assert.equal(locked.resolved.sourceDateEpoch, first.resolved.sourceDateEpoch);
  assert.equal(locked.resolved.imageVersion, first.resolved.imageVersion);
  // the image keeps the real mirrors, not the temporary local repository
  assert.equal(locked.sources, first.sources);
  assert.ok(!locked.sources.includes('copy:') && locked.sources.includes(server.url), locked.sources);
});

test('a locked package that can no longer be obtained is a clear error with a hint', { skip }, async () => {
  assert.ok(first, 'the first build ran');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  // a lock whose canary is a file neither the cache nor the archive has (the archive now serves only 2.0)
  lock.packages = lock.packages.map((p: LockedPackage) => (p.name === 'herd-canary' ? { ...p, sha256: 'f'.repeat(64) } : p));
  const gone = join(dir, 'gone.json');
  writeFileSync(gone, JSON.stringify(lock));
  await assert.rejects(buildRootfs(gone), (e: any) => {
    assert.equal(e.code, 'lock.package_unavailable');
    assert.equal(e.kind, 'dependency');
    assert.match(e.message, /herd-canary 1\.0 \(all\)/);
    assert.match(e.hint, /snapshot\.debian\.org/);
    return true;
  });
});

test('without the lock the same recipe installs 2.0 and is labelled with the new archive date', { skip }, async () => {
  const live = await buildRootfs();
  assert.deepEqual(canaryIn(live.tree), { status: '2.0', file: '2.0' });
  assert.equal(live.resolved.sourceDateEpoch, v2Date.getTime() / 1000);
});

/** The CLI, run without blocking this process (its HTTP server must keep answering). */
function herdJson(args: string[]): Promise<unknown> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(repo, 'bin/herd.js'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('close', (code) => (code === 0 ? ok(JSON.parse(out)) : fail(new Error(`herd ${args.join(' ')} exited ${code}: ${err}`))));
  });
}
