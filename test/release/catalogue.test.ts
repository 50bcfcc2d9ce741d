import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { createApp } from '../../src/api/app.ts';
import { catalogueReader, readCatalogue } from '../../src/release/catalogue-entries.ts';
import { catalogueRow, latestReleases } from '../../src/release/catalogue-list.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { revokeRelease } from '../../src/store/releases.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

const repo = join(import.meta.dirname, '../..');

/** The whole `herd` CLI (catalog is not a release-service command), exit code and output. */
function runHerd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(repo, 'bin/herd.js'), ...args], { cwd: repo, timeout: 60_000 }, (e, stdout, stderr) => {
      res({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const dir = mkdtempSync(join(tmpdir(), 'herd-catalogue-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const catalog = (title: string, extra = '') =>
  `catalog:\n  title: ${title}\n  summary: A test image.\n  use-cases: [containers]\n  personas: [devops]\n  platforms: [openstack]\n${extra}`;
const child = (name: string, body: string) => `extends: base.yaml\nname: ${name}\ndescription: test image ${name}\n${body}`;

/** A catalogue folder: the real base, a good child, and one of each way a recipe can be wrong. */
function writeCatalogue(root: string, hostile: boolean): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'base.yaml'), readFileSync(join(repo, 'recipes/base.yaml')));
  writeFileSync(join(root, 'stack-demo.yaml'), child('stack-demo', catalog('Demo stack', '  stack: {language: python, version: "3.13", frameworks: [Flask]}\n')));
  writeFileSync(join(root, 'README.md'), 'not a recipe\n');
  if (!hostile) return root;
  // lints fine, but shows up under base's title: no catalog block of its own
  writeFileSync(join(root, 'no-block.yaml'), child('no-block', 'packages: [htop]\n'));
  // copied the parent's title
  writeFileSync(join(root, 'same-title.yaml'), child('same-title', catalog('Debian 13 base')));
  // fails lint: an output format that does not exist (line 10)
  writeFileSync(join(root, 'broken.yaml'), child('broken', catalog('Broken') + 'outputs: [qcow3]\n'));
  // a symlink to a good recipe outside the folder
  const elsewhere = join(root, '..', 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  writeFileSync(join(elsewhere, 'base.yaml'), readFileSync(join(repo, 'recipes/base.yaml')));
  writeFileSync(join(elsewhere, 'outside.yaml'), `extends: base.yaml\nname: linked\ndescription: d\n${catalog('Linked')}`);
  symlinkSync(join(elsewhere, 'outside.yaml'), join(root, 'linked.yaml'));
  // a regular file whose parent lives outside the folder
  writeFileSync(join(root, 'escapes.yaml'), `extends: ../elsewhere/base.yaml\nname: escapes\ndescription: d\n${catalog('Escapes')}`);
  return root;
}

describe('reading the catalogue folder', () => {
  test('every recipe gets a row; each bad one names its problem with file:line and a hint, the good ones are still listed', async () => {
    const root = writeCatalogue(join(dir, 'hostile', 'recipes'), true);
    const entries = await readCatalogue(root);
    assert.deepEqual(entries.map((e) => e.id), ['base', 'broken', 'escapes', 'linked', 'no-block', 'same-title', 'stack-demo']);
    const by = new Map(entries.map((e) => [e.id, e]));
    assert.deepEqual(by.get('base')!.problems, []);
    assert.deepEqual(by.get('stack-demo')!.problems, []);
    assert.equal(by.get('stack-demo')!.extends, 'base');
    const one = (id: string) => {
      const p = by.get(id)!.problems;
      assert.equal(p.length, 1, `${id}: ${JSON.stringify(p)}`);
      assert.ok(p[0]!.hint, `${id} has a hint`);
      assert.equal(by.get(id)!.recipe === undefined || id === 'no-block' || id === 'same-title', true);
      return p[0]!;
    };
    assert.match(one('no-block').message, /no catalog block of its own/);
    const same = one('same-title');
    assert.match(same.message, /catalog\.title "Debian 13 base" is the title of base\.yaml/);
    assert.deepEqual([same.line, same.path], [5, 'catalog.title']);
    const broken = one('broken');
    assert.equal(broken.line, 10);
    assert.match(broken.path, /^outputs\[\d+\]$/);
    assert.match(one('linked').message, /symlink/);
    assert.equal(by.get('linked')!.recipe, undefined, 'a symlinked recipe is never loaded');
    assert.match(one('escapes').message, /outside the catalogue folder/);

    const rows = entries.map(catalogueRow);
    assert.deepEqual(rows.find((r) => r.id === 'stack-demo'), {
      id: 'stack-demo', product: 'stack-demo', distribution: 'debian 13', title: 'Demo stack', useCases: ['containers'],
      stack: 'python 3.13', budgetQcow2: 120 * 1024 ** 2, problems: [],
    });
  });

  test('the server\'s reader parses the folder again only when a recipe file changed', async () => {
    const root = writeCatalogue(join(dir, 'cached', 'recipes'), false);
    const read = catalogueReader(root);
    const first = await read();
    assert.equal(await read(), first, 'unchanged folder: the same entries');
    writeFileSync(join(root, 'stack-demo.yaml'), child('stack-demo', catalog('Demo stack, renamed')));
    const second = await read();
    assert.notEqual(second, first);
    assert.equal(second.find((e) => e.id === 'stack-demo')!.recipe!.catalog!.title, 'Demo stack, renamed');
    writeFileSync(join(root, 'extra.yaml'), child('extra', catalog('Extra')));
    assert.deepEqual((await read()).map((e) => e.id), ['base', 'extra', 'stack-demo']);
  });

  test('a missing folder is an error with a hint', async () => {
    await assert.rejects(readCatalogue(join(dir, 'nope')), (e: any) => e.code === 'catalogue.missing' && Boolean(e.hint));
  });
});

describe('herd catalog', () => {
  test('lists every recipe, marks the invalid ones in their row, prints their problems and exits 1', async () => {
    const root = writeCatalogue(join(dir, 'cli-hostile', 'recipes'), true);
    const r = await runHerd(['catalog', '--recipes', root]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^id +title +use cases +distribution +stack +budget$/m);
    assert.match(r.stdout, /^stack-demo +Demo stack +containers +debian 13 +python 3\.13 +120\.0 MiB$/m);
    assert.match(r.stdout, /^base +Debian 13 base +base +debian 13 +120\.0 MiB$/m);
    for (const id of ['broken', 'escapes', 'linked', 'no-block', 'same-title']) assert.match(r.stdout, new RegExp(`^${id} +INVALID \\(1 problem\\)`, 'm'));
    assert.match(r.stderr, /same-title\.yaml:5:\d+: catalog\.title: .*\n\s+hint: give each catalogue image a title of its own/);
    assert.match(r.stderr, /broken\.yaml:10:\d+: outputs\[\d+\]/);
    assert.match(r.stderr, /error\[catalog\.invalid\]: 5 of 7 catalogue recipes are not valid/);
  });

  test('with --data: each image\'s newest unrevoked release and its qcow2 size; --json; a missing store is refused, not created', async () => {
    const root = writeCatalogue(join(dir, 'cli-good', 'recipes'), false);
    const env = await makeServices('herd-catalogue-store-');
    try {
      await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'o1'), { name: 'stack-demo', version: '2026.11.24.0', size: 2 * 1024 ** 2 }));
      const newer = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'o2'), { name: 'stack-demo', version: '2026.11.25.0', size: 3 * 1024 ** 2, seed: 'b' }));
      await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'o3'), { name: 'stack-demo', version: '2026.11.26.0', seed: 'c' }));
      const newest = (await latestReleases(env.svc.store.db, ['stack-demo', 'base'])).get('stack-demo')!;
      await revokeRelease(env.svc.store.db, newest.id, 'bad');
      const latest = await latestReleases(env.svc.store.db, ['stack-demo', 'base']);
      assert.deepEqual([...latest.keys()], ['stack-demo']);
      assert.equal(latest.get('stack-demo')!.id, newer.id, 'the revoked newest release is skipped');
      assert.equal(latest.get('stack-demo')!.qcow2Bytes, 3 * 1024 ** 2);
      await env.svc.close();

      const r = await runHerd(['catalog', '--recipes', root, '--data', join(env.dir, 'data')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /last release +qcow2$/m);
      assert.match(r.stdout, /^stack-demo .* 2026\.11\.25\.0 testing +3\.0 MiB$/m);
      assert.match(r.stdout, /^base .* -$/m);
      const j = await runHerd(['catalog', '--recipes', root, '--data', join(env.dir, 'data'), '--json']);
      const rows = JSON.parse(j.stdout);
      assert.equal(rows.find((x: any) => x.id === 'stack-demo').latest.version, '2026.11.25.0');

      const missing = join(dir, 'no-data');
      const m = await runHerd(['catalog', '--recipes', root, '--data', missing]);
      assert.equal(m.code, 1);
      assert.match(m.stderr, /error\[catalog\.no_database\]/);
      assert.equal(existsSync(missing), false);
    } finally {
      rmSync(env.dir, { recursive: true, force: true });
    }
  });
});

describe('GET /api/catalog', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    env = await makeServices('herd-catalogue-api-');
    const root = writeCatalogue(join(env.dir, 'recipes'), true);
    app = createApp({ ...env.svc, recipesDir: root }, { dataDir: join(env.dir, 'data'), documentTtlMs: 0 });
    await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'out'), { name: 'base', version: '2026.11.25.0' }));
  });
  after(async () => { await env.cleanup(); });

  test('anonymous: the valid images with their presentation and latest release; invalid ones by id only, no paths', async () => {
    const res = await app.request('/api/catalog');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.images.map((i: any) => i.id), ['base', 'stack-demo']);
    assert.deepEqual(body.invalid, ['broken', 'escapes', 'linked', 'no-block', 'same-title']);
    const demo = body.images[1];
    assert.deepEqual(demo, {
      id: 'stack-demo', product: 'stack-demo', title: 'Demo stack', summary: 'A test image.', useCases: ['containers'], personas: ['devops'],
      platforms: ['openstack'], stack: { language: 'python', version: '3.13', frameworks: ['Flask'] }, extends: 'base',
      distribution: { name: 'debian', release: '13' }, qaSuites: ['base'], sizeBudget: { qcow2: 120 * 1024 ** 2 },
    });
    assert.equal(body.images[0].latestRelease.version, '2026.11.25.0');
    assert.equal(body.images[0].latestRelease.channel, 'testing');
    assert.equal(typeof body.images[0].latestRelease.qcow2Bytes, 'number');
    assert.doesNotMatch(JSON.stringify(body), new RegExp(env.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('use cases and personas, with the images of each use case', async () => {
    const body = await (await app.request('/api/catalog/use-cases')).json();
    const ids = body.useCases.map((u: any) => u.id);
    assert.deepEqual(ids, ['base', 'web-application', 'containers', 'data-science', 'hpc', 'paas', 'server']);
    assert.deepEqual(body.useCases.find((u: any) => u.id === 'containers').images, ['stack-demo']);
    assert.deepEqual(body.useCases.find((u: any) => u.id === 'base').images, ['base']);
    assert.ok(body.useCases.every((u: any) => u.title && u.summary));
    assert.deepEqual(body.personas.find((p: any) => p.id === 'devops'), { id: 'devops', title: 'DevOps team member' });
  });

  test('read-only: no write method is routed, and both routes are anonymous in the OpenAPI document', async () => {
    assert.equal((await app.request('/api/catalog', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
    const spec = await (await app.request('/api/openapi.json')).json();
    assert.deepEqual(Object.keys(spec.paths['/api/catalog']), ['get']);
    assert.equal(spec.paths['/api/catalog'].get['x-required-role'], undefined);
    assert.equal(spec.paths['/api/catalog/use-cases'].get['x-required-role'], undefined);
  });

  test('a missing recipes folder is 503 without the server\'s path', async () => {
    const broken = createApp({ ...env.svc, recipesDir: join(env.dir, 'gone') }, { dataDir: join(env.dir, 'data'), documentTtlMs: 0 });
    const res = await broken.request('/api/catalog');
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.code, 'catalogue.unavailable');
    assert.doesNotMatch(JSON.stringify(body), /gone/);
  });
});
