import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { changelogText } from '../../src/cli/commands/releases.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import type { ReleaseChangelog } from '../../src/release/release-changelog.ts';
import { getDocument } from '../../src/store/documents.ts';
import { createPendingRelease } from '../../src/store/releases.ts';
import { ensureProduct } from '../../src/store/products.ts';
import { makeDeb, makeSigningKey, serveDir, type SigningKey, writeArchive } from '../helpers/apt-archive.ts';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { makeServices } from './fixtures/services.ts';

/**
 * The changelog a release is published with (issue #11): against the product's previous release, each upgrade's
 * entries read from the .deb the build installed (real .debs carrying Debian changelogs, served by a real
 * signed archive on 127.0.0.1), security uploads marked, CVE ids listed; shown by the API and in the feed.
 */
const entry = (source: string, version: string, dist: string, text: string) =>
  `${source} (${version}) ${dist}; urgency=medium\n\n  * ${text}\n\n -- Debian Security Team <team@security.debian.org>  Tue, 01 Dec 2026 10:00:00 +0000\n`;

describe('release changelog at publication', () => {
  let dir: string;
  let key: SigningKey;
  let archive: Awaited<ReturnType<typeof serveDir>>;
  const cache = () => join(dir, 'cache');
  // the old and new .debs; openssl's changelog holds entries before the image's version too, which must not count
  const OPENSSL = [
    entry('openssl', '3.5.1-1+deb13u1', 'trixie-security', 'Fix CVE-2026-1111 (buffer overread) and CVE-2026-2222.'),
    entry('openssl', '3.5.1-1', 'unstable', 'New upstream release; fixes CVE-2025-0001.'),
  ].join('\n');
  const HELLO = [entry('hello', '2.10-4', 'trixie', 'Rebuild; mentions CVE-2026-3333 in passing.'), entry('hello', '2.10-3', 'trixie', 'Old.')].join('\n');
  const lockOf = (files: string[]) => ({
    schemaVersion: 2, codename: 'trixie', archive: { sources: [{ uri: archive.url, suites: ['trixie-security'], components: ['main'] }], keyring: key.keyring },
    suites: [{ uri: archive.url, suite: 'trixie-security', date: 'Tue, 01 Dec 2026 00:00:00 UTC', epoch: 1796083200, inReleaseSha256: '0'.repeat(64) }],
    sourceDateEpoch: 1796083200, imageVersion: '2026.12.01.0',
    packages: files.map((f) => {
      const [name, version] = basename(f, '_all.deb').split('_') as [string, string];
      const bytes = readFileSync(f);
      return { name, version, architecture: 'all', filename: `pool/main/${basename(f)}`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  });
  let newDebs: string[];
  const OLD = [
    { name: 'openssl', version: '3.5.1-1', arch: 'all', source: 'openssl' }, { name: 'libssl3t64', version: '3.5.1-1', arch: 'all', source: 'openssl' },
    { name: 'hello', version: '2.10-3', arch: 'all' }, { name: 'gone', version: '1.0', arch: 'all' }, { name: 'rolled', version: '2.0', arch: 'all' },
  ];
  const NEW = [
    { name: 'openssl', version: '3.5.1-1+deb13u1', arch: 'all', source: 'openssl' }, { name: 'libssl3t64', version: '3.5.1-1+deb13u1', arch: 'all', source: 'openssl' },
    { name: 'hello', version: '2.10-4', arch: 'all' }, { name: 'fresh', version: '1.0', arch: 'all' }, { name: 'rolled', version: '1.9', arch: 'all' },
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-relchangelog-'));
    key = makeSigningKey(dir);
    const debs = join(dir, 'debs');
    mkdirSync(debs);
    // libssl3t64 carries no changelog of its own (its doc folder is openssl's in Debian): read from its source's binary
    newDebs = [makeDeb(debs, 'openssl', '3.5.1-1+deb13u1', OPENSSL), makeDeb(debs, 'libssl3t64', '3.5.1-1+deb13u1'), makeDeb(debs, 'hello', '2.10-4', HELLO),
      makeDeb(debs, 'fresh', '1.0', entry('fresh', '1.0', 'trixie', 'Initial release; CVE-2026-4444.')), makeDeb(debs, 'rolled', '1.9')];
    writeArchive(join(dir, 'archive'), 'trixie-security', newDebs, key, new Date('2026-12-01T00:00:00Z'));
    archive = await serveDir(join(dir, 'archive'));
    process.env.HERD_CACHE = cache();
  });
  after(async () => {
    delete process.env.HERD_CACHE;
    await archive?.close();
    key?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('upgrades with their entries since the old version, security marked, CVE ids; added, removed, downgraded; API and feed', async () => {
    const env = await makeServices('herd-relchangelog-svc-');
    try {
      const first = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'web', version: '2026.11.03.0', seed: 'a', packages: OLD }));
      const app = createApp(env.svc, { dataDir: env.dir });
      const firstLog = await (await app.request(`/api/releases/${first.id}/changelog`)).json() as ReleaseChangelog;
      assert.deepEqual(firstLog.summary, { added: 0, removed: 0, upgraded: 0, downgraded: 0, security: 0, cves: [] }, 'a first release compares with nothing');

      const second = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'web', version: '2026.12.01.0', seed: 'b', packages: NEW, resolved: lockOf(newDebs) }));
      const res = await app.request(`/api/releases/${second.id}/changelog`);
      assert.equal(res.status, 200, 'anyone may read a published release\'s changelog');
      const log = await res.json() as ReleaseChangelog;
      assert.deepEqual(log.summary, { against: { id: first.id, version: '2026.11.03.0' }, added: 1, removed: 1, upgraded: 3, downgraded: 1, security: 2, cves: ['CVE-2026-1111', 'CVE-2026-2222', 'CVE-2026-3333'] });
      assert.deepEqual(log.added, [{ name: 'fresh', arch: 'all', version: '1.0' }]);
      assert.deepEqual(log.removed, [{ name: 'gone', arch: 'all', version: '1.0' }]);
      assert.deepEqual(log.downgraded, [{ name: 'rolled', arch: 'all', from: '2.0', to: '1.9' }]);
      assert.deepEqual(log.upgraded.map((u) => [u.name, u.from, u.to, u.security, u.cves, u.entries.map((e) => e.version), u.missing]), [
        ['hello', '2.10-3', '2.10-4', false, ['CVE-2026-3333'], ['2.10-4'], undefined],
        ['libssl3t64', '3.5.1-1', '3.5.1-1+deb13u1', true, ['CVE-2026-1111', 'CVE-2026-2222'], ['3.5.1-1+deb13u1'], undefined],
        ['openssl', '3.5.1-1', '3.5.1-1+deb13u1', true, ['CVE-2026-1111', 'CVE-2026-2222'], ['3.5.1-1+deb13u1'], undefined],
      ]);
      assert.equal(log.upgraded[1]!.source, 'openssl');
      assert.match(log.upgraded[2]!.entries[0]!.text, /buffer overread/);
      assert.equal(log.upgraded[2]!.entries[0]!.distribution, 'trixie-security');

      // the feed carries the summary and where the whole changelog is
      const feed = JSON.parse(Buffer.from((await getDocument(env.svc.store.db, 'feeds/testing.json'))!.body).toString('utf8'));
      assert.deepEqual(feed.products.web.changes, {
        since: '2026.11.03.0', upgraded: 3, added: 1, removed: 1, security: 2, cves: ['CVE-2026-1111', 'CVE-2026-2222', 'CVE-2026-3333'],
        notes: `${env.svc.feed.publicUrl.replace(/\/+$/, '')}/api/releases/${second.id}/changelog`,
      });

      // no changelog for a release that is not published, nor for one stored before releases kept one
      const pending = await createPendingRelease(env.svc.store.db, { productId: 'web', version: '2026.12.02.0', channel: 'testing', recipeDigest: 'sha256:x', packages: NEW });
      const refused = await app.request(`/api/releases/${pending.id}/changelog`);
      assert.equal(refused.status, 404);
      assert.equal((await refused.json() as { code: string }).code, 'release.no_changelog');
      assert.equal((await app.request('/api/releases/not-a-uuid/changelog')).status, 400);

      // `herd releases changelog` prints it; text from packages reaches the terminal escaped
      const text = changelogText({ ...log, upgraded: log.upgraded.map((u) => ({ ...u, entries: u.entries.map((e) => ({ ...e, text: `${e.text}\u001b[2J` })) })) }, true);
      assert.match(text, /^against 2026\.11\.03\.0: 3 upgraded, 1 added, 1 removed, 1 downgraded; 2 security updates fixing CVE-2026-1111, CVE-2026-2222, CVE-2026-3333\n/);
      assert.match(text, /\n  S openssl 3\.5\.1-1 -> 3\.5\.1-1\+deb13u1  CVE-2026-1111 CVE-2026-2222\n/);
      assert.match(text, /\n  \+ fresh 1\.0\n  - gone 1\.0\n  < rolled 2\.0 -> 1\.9\n$/);
      assert.ok(!text.includes('\u001b') && text.includes('\\u001b[2J'), 'an escape sequence in an entry is shown, not sent');
    } finally {
      await env.cleanup();
    }
  });

  test('an upgraded metapackage without a changelog reads the one of the binary added beside it from the same source (a kernel)', async () => {
    const env = await makeServices('herd-relchangelog-kernel-');
    try {
      const debs = join(dir, 'kernel');
      mkdirSync(debs, { recursive: true });
      const kernel = [makeDeb(debs, 'linux-image-cloud', '6.12.118-1'), makeDeb(debs, 'linux-image-6.12.118-cloud', '6.12.118-1',
        [entry('linux', '6.12.118-1', 'trixie-security', 'New upstream stable update; fixes CVE-2026-5555.'), entry('linux', '6.12.117-1', 'trixie-security', 'Older.')].join('\n'))];
      writeArchive(join(dir, 'archive'), 'trixie-security', [...newDebs, ...kernel], key, new Date('2026-12-01T00:00:00Z'));
      const old = [{ name: 'linux-image-cloud', version: '6.12.117-1', arch: 'all', source: 'linux' }, { name: 'linux-image-6.12.117-cloud', version: '6.12.117-1', arch: 'all', source: 'linux' }];
      const now = [{ name: 'linux-image-cloud', version: '6.12.118-1', arch: 'all', source: 'linux' }, { name: 'linux-image-6.12.118-cloud', version: '6.12.118-1', arch: 'all', source: 'linux' }];
      await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'web', version: '2026.11.03.0', seed: 'a', packages: old }));
      const second = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'web', version: '2026.12.01.0', seed: 'b', packages: now, resolved: lockOf(kernel) }));
      const log = await (await createApp(env.svc, { dataDir: env.dir }).request(`/api/releases/${second.id}/changelog`)).json() as ReleaseChangelog;
      assert.deepEqual(log.upgraded.map((u) => [u.name, u.security, u.cves, u.entries.map((e) => e.version), u.missing]), [['linux-image-cloud', true, ['CVE-2026-5555'], ['6.12.118-1'], undefined]]);
      assert.deepEqual([log.added.map((a) => a.name), log.removed.map((r) => r.name)], [['linux-image-6.12.118-cloud'], ['linux-image-6.12.117-cloud']]);
    } finally {
      writeArchive(join(dir, 'archive'), 'trixie-security', newDebs, key, new Date('2026-12-01T00:00:00Z'));
      await env.cleanup();
    }
  });

  test('the .debs come from the package cache the build filled; a cached file that is not the locked one is not read', async () => {
    const env = await makeServices('herd-relchangelog-cache-');
    try {
      await ensureProduct(env.svc.store.db, 'web');
      await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'web', version: '2026.11.03.0', seed: 'a', packages: OLD }));
      const shelf = join(cache(), 'packages', 'apt-trixie-amd64');
      mkdirSync(shelf, { recursive: true });
      for (const f of newDebs) copyFileSync(f, join(shelf, basename(f)));
      // the cached hello is another file under the locked name: never trusted, and the archive is not asked (its URI is gone)
      mkdirSync(join(dir, 'other'), { recursive: true });
      const other = makeDeb(join(dir, 'other'), 'hello', '2.10-4', entry('hello', '2.10-4', 'trixie-security', 'Claims CVE-2099-0001.'));
      copyFileSync(other, join(shelf, basename(other)));
      const lock = lockOf(newDebs);
      lock.archive.sources[0]!.uri = 'http://127.0.0.1:9/nothing-listens-here';
      const second = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'web', version: '2026.12.01.0', seed: 'b', packages: NEW, resolved: lock }));
      const log = await (await createApp(env.svc, { dataDir: env.dir }).request(`/api/releases/${second.id}/changelog`)).json() as ReleaseChangelog;
      const hello = log.upgraded.find((u) => u.name === 'hello')!;
      assert.deepEqual(hello.entries, []);
      assert.match(hello.missing!, /hello_2\.10-4_all\.deb is not in the package cache; tried http:\/\/127\.0\.0\.1:9/);
      assert.deepEqual(log.upgraded.find((u) => u.name === 'openssl')!.cves, ['CVE-2026-1111', 'CVE-2026-2222'], 'read from the cache alone');
      assert.ok(!log.summary.cves.includes('CVE-2099-0001'));
      assert.ok(statSync(join(shelf, 'openssl_3.5.1-1+deb13u1_all.deb')).isFile(), 'the cache is read, never moved');
    } finally {
      rmSync(join(cache(), 'packages'), { recursive: true, force: true });
      await env.cleanup();
    }
  });

  test('a build output without resolved.json is published; its changelog says why it has no entries', async () => {
    const env = await makeServices('herd-relchangelog-nolock-');
    try {
      await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'web', version: '2026.11.03.0', seed: 'a', packages: OLD }));
      const second = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b2'), { name: 'web', version: '2026.12.01.0', seed: 'b', packages: NEW }));
      const log = await (await createApp(env.svc, { dataDir: env.dir }).request(`/api/releases/${second.id}/changelog`)).json() as ReleaseChangelog;
      assert.equal(log.summary.upgraded, 3);
      for (const u of log.upgraded) assert.match(u.missing!, /no readable resolved\.json/);
      // a lock that is not one is reported the same way, never trusted
      const third = await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b3'), { name: 'web', version: '2026.12.02.0', seed: 'c', packages: NEW.map((p) => ({ ...p, version: `${p.version}.1` })), resolved: { schemaVersion: 2, packages: 'no' } }));
      const bad = await (await createApp(env.svc, { dataDir: env.dir }).request(`/api/releases/${third.id}/changelog`)).json() as ReleaseChangelog;
      assert.equal(bad.summary.against?.version, '2026.12.01.0');
      for (const u of bad.upgraded) assert.match(u.missing!, /resolved\.json/);
    } finally {
      await env.cleanup();
    }
  });
});
