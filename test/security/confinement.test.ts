import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { resolveCatalogueRecipe } from '../../src/release/catalogue.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { listReleases } from '../../src/store/releases.ts';
import { succeededBuild, writeBuildOutput } from '../release/fixtures/build-output.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { bearer, tokenFor } from '../release/fixtures/auth.ts';

const json = (token: string, body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(body) });

/** A file the caller must learn nothing about: not its content, size or sha256. */
const SECRET = 'TOP-SECRET private key material 0123456789\n'.repeat(37);
const secretSize = Buffer.byteLength(SECRET);
const secretSha = createHash('sha256').update(SECRET).digest('hex');
const leaks = (text: string) => [String(secretSize), secretSize.toString(16), secretSha, secretSha.slice(0, 16), 'TOP-SECRET'].filter((x) => text.includes(x));

describe('confinement: no server path, no symlink, no oracle', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let secret: string;
  before(async () => {
    env = await makeServices('herd-confine-');
    secret = join(env.dir, 'secret.key');
    writeFileSync(secret, SECRET, { mode: 0o600 });
  });
  after(async () => { await env.cleanup(); });

  /** What an attacker forges: a manifest naming the secret's (guessed) size and digest, then a symlink. */
  const forged = (name: string, claim: 'real' | 'secret') => {
    const out = writeBuildOutput(join(env.dir, name), { name: 'evil', seed: name });
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    if (claim === 'secret') {
      m.outputs[0] = { ...m.outputs[0], size: secretSize, sha256: secretSha };
      delete m.qa;
      writeFileSync(join(out, 'SHA256SUMS'), m.outputs.map((o: any) => `${o.sha256}  ${o.file}\n`).join(''));
      writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
    }
    rmSync(join(out, 'disk.qcow2'));
    symlinkSync(secret, join(out, 'disk.qcow2'));
    return out;
  };

  test('a disk.qcow2 that is a symlink to a secret file is refused, and the error tells nothing about the file', async () => {
    for (const [name, claim] of [['sym-real', 'real'], ['sym-secret', 'secret']] as const) {
      const err = await publishRelease(env.svc, forged(name, claim), { allowUntested: true }).then(() => undefined, (e) => e);
      assert.ok(err, `${name}: publish must fail`);
      assert.equal(err.code, 'publish.symlink', `${name}: ${err.message}`);
      assert.deepEqual(leaks(`${err.message}\n${err.hint ?? ''}`), [], `${name}: ${err.message}`);
    }
    assert.deepEqual(await listReleases(env.svc.store.db, { productId: 'evil' }), []);
  });

  test('manifest.json, SHA256SUMS and the QA report are refused as symlinks too, and so is a linked folder', async () => {
    for (const file of ['manifest.json', 'SHA256SUMS', 'qa/report.json']) {
      const out = writeBuildOutput(join(env.dir, `sym-${file.replace('/', '-')}`), { name: 'evil', seed: file });
      rmSync(join(out, file));
      symlinkSync(secret, join(out, file));
      const err = await publishRelease(env.svc, out).then(() => undefined, (e) => e);
      assert.ok(err, `${file}: publish must fail`);
      assert.match(err.code, /^publish\./, file);
      assert.deepEqual(leaks(`${err.message}\n${err.hint ?? ''}`), [], `${file}: ${err.message}`);
    }
    // qa/ itself a link to a folder outside DIR: O_NOFOLLOW alone would not see it; the real-path check does
    const out = writeBuildOutput(join(env.dir, 'sym-qa-dir'), { name: 'evil', seed: 'qa-dir' });
    const elsewhere = join(env.dir, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'report.json'), readFileSync(join(out, 'qa', 'report.json')));
    rmSync(join(out, 'qa'), { recursive: true });
    symlinkSync(elsewhere, join(out, 'qa'));
    await assert.rejects(publishRelease(env.svc, out), (e: any) => /publish\.qa_report_missing/.test(e.code) && /outside/.test(e.message));
  });

  test('a folder in place of an image is refused', async () => {
    const out = writeBuildOutput(join(env.dir, 'not-file'), { name: 'evil', seed: 'dir' });
    rmSync(join(out, 'disk.qcow2'));
    mkdirSync(join(out, 'disk.qcow2'));
    await assert.rejects(publishRelease(env.svc, out), { code: 'publish.not_a_file' });
  });

  test('POST /api/publish takes a build job id only: a server path is refused as an unknown key', async () => {
    const app = createApp(env.svc, { documentTtlMs: 0 });
    const tok = await tokenFor(env.svc);
    const dir = writeBuildOutput(join(env.dir, 'api-dir'), { name: 'evil', seed: 'api' });
    const res = await app.request('/api/publish', json(tok, { dir }));
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.code, 'api.invalid_input');
    assert.match(body.message, /dir|unrecognized|unknown/i);
    assert.equal((await app.request('/api/publish', json(tok, { build: dir }))).status, 400);
    // a job that is not a build, or a build that has not succeeded, is no build to publish
    const noop = await env.svc.queue.enqueue('noop', { v: 1 });
    assert.equal((await app.request('/api/publish', json(tok, { build: noop.id }))).status, 404);
    const running = await env.svc.queue.enqueue('build', { v: 2, recipe: 'base', qa: 'full', publish: false });
    assert.equal((await app.request('/api/publish', json(tok, { build: running.id }))).status, 409);
    await env.svc.queue.cancel(running.id);
    await env.svc.queue.cancel(noop.id);
    const build = await succeededBuild(env.svc, join(env.dir, 'data'), { name: 'apibuild', seed: 'ok' });
    const ok = await app.request('/api/publish', json(tok, { build }));
    assert.equal(ok.status, 202);
    assert.deepEqual((await ok.json()).payload, { v: 2, build, channel: 'testing' });
  });

  test('builds name a catalogue recipe: recipePath is refused, and so is any id outside the catalogue', async () => {
    const app = createApp(env.svc, { documentTtlMs: 0 });
    const tok = await tokenFor(env.svc);
    assert.equal((await app.request('/api/products', json(tok, { id: 'web', title: 'Web', recipePath: secret }))).status, 400);
    assert.equal((await app.request('/api/products', json(tok, { id: 'web', title: 'Web', recipe: '../secret' }))).status, 400);
    assert.equal((await app.request('/api/products', json(tok, { id: 'web', title: 'Web', recipe: 'base' }))).status, 201);
    const res = await app.request('/api/products/web/builds', json(tok, { recipePath: secret }));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'api.invalid_input');
    const build = await app.request('/api/products/web/builds', json(tok, { publish: false }));
    assert.equal(build.status, 202);
    assert.deepEqual((await build.json()).payload, { v: 2, recipe: 'base', product: 'web', channel: 'testing', qa: 'full', publish: false });
  });

  test('a catalogue entry that links out of the catalogue is not a recipe, and the error shows nothing of it', async () => {
    const catalogue = join(env.dir, 'catalogue');
    mkdirSync(join(catalogue, 'sub'), { recursive: true });
    writeFileSync(join(catalogue, 'good.yaml'), 'name: good\n');
    symlinkSync(secret, join(catalogue, 'evil.yaml'));
    symlinkSync(join(catalogue, 'good.yaml'), join(catalogue, 'alias.yaml'));
    assert.equal(await resolveCatalogueRecipe(catalogue, 'good'), join(catalogue, 'good.yaml'));
    for (const id of ['evil', 'alias', '../secret', 'sub', 'sub/x', 'missing']) {
      const err = await resolveCatalogueRecipe(catalogue, id).then(() => undefined, (e) => e);
      assert.ok(err, id);
      assert.match(err.code, /^catalogue\./, id);
      assert.deepEqual(leaks(err.message), [], id);
    }
  });
});
