import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readKeyring } from '../../src/keys/keyring.ts';
import { exportDocuments } from '../../src/release/export-documents.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

describe('herd verify', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let keyring: string;
  let pub: string;
  let state: string;
  let releaseId: string;
  before(async () => {
    env = await makeServices('herd-verify-');
    releaseId = (await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'out'), { version: '2026.11.25.0' }))).id;
    keyring = await readKeyring(join(env.dir, 'data', 'keys'));
    pub = join(env.dir, 'public');
    state = join(env.dir, 'state.json');
    await exportDocuments(env.svc.store, pub);
  });
  after(async () => { await env.cleanup(); });

  test('accepts a signed, current feed and an artifact it lists, signed next to it', async () => {
    const dl = join(env.dir, 'dl');
    mkdirSync(dl);
    const stored = join(env.dir, 'data', 'artifacts', 'base', '2026.11.25.0', 'x86_64', releaseId);
    copyFileSync(join(stored, 'disk.qcow2'), join(dl, 'disk.qcow2'));
    copyFileSync(join(stored, 'disk.qcow2.asc'), join(dl, 'disk.qcow2.asc'));
    const r = await verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring, statePath: state, artifact: join(dl, 'disk.qcow2') });
    assert.equal(r.feed.channel, 'testing');
    assert.equal(r.artifact?.product, 'base');
    assert.equal(r.artifact?.release, '2026.11.25.0');
    assert.equal(r.artifact?.format, 'qcow2');
  });

  test('refuses an artifact the feed does not list', async () => {
    const other = join(env.dir, 'other.qcow2');
    writeFileSync(other, 'not an image');
    await assert.rejects(verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring, statePath: state, artifact: other }), { code: 'artifact.not_in_feed' });
  });

  test('refuses a rollback to an older generation once a newer one was seen', async () => {
    const old = join(env.dir, 'old');
    cpSync(join(pub, 'feeds'), old, { recursive: true });
    await refreshFeeds(env.svc);
    await exportDocuments(env.svc.store, pub);
    const fresh = await verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring, statePath: state });
    assert.equal(fresh.feed.generation, 2);
    await assert.rejects(verifyFeed({ feed: join(old, 'testing.json'), keyring, statePath: state }), (e: any) => e.code === 'feed.rollback' && /generation 1, older than generation 2/.test(e.message));
    await verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring, statePath: state });
  });

  test('refuses an expired feed', async () => {
    await assert.rejects(verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring, statePath: state, now: new Date(Date.now() + 30 * 86_400_000) }), { code: 'feed.expired' });
  });

  test('refuses a tampered feed and a feed signed by an unknown key', async () => {
    const bad = join(env.dir, 'tampered');
    cpSync(join(pub, 'feeds'), bad, { recursive: true });
    const path = join(bad, 'testing.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"generation": 2', '"generation": 99'));
    await assert.rejects(verifyFeed({ feed: path, keyring, statePath: state }), { code: 'signature.invalid' });
    const stranger = await makeServices('herd-verify-stranger-');
    try {
      const otherKeyring = await readKeyring(join(stranger.dir, 'data', 'keys'));
      await assert.rejects(verifyFeed({ feed: join(pub, 'feeds/testing.json'), keyring: otherKeyring, statePath: state }), { code: 'signature.invalid' });
    } finally {
      await stranger.cleanup();
    }
  });
});
