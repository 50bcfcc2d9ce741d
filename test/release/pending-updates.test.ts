import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { pendingUpdates, type InstalledRef } from '../../src/release/pending-updates.ts';
import { readSuitePackages } from '../../src/resolve/suite-index.ts';
import { clearsign, makeDeb, makeSigningKey, serveDir, type SigningKey, writeArchive } from '../helpers/apt-archive.ts';

/**
 * Pending updates against real archives: packages made with dpkg-deb, indexed by dpkg-scanpackages,
 * signed with gpg and checked with gpgv, served on 127.0.0.1, then moved forward in time (issue #11).
 */
describe('pending updates of a release against the archive as it is now', () => {
  let dir: string;
  let key: SigningKey;
  let stranger: SigningKey;
  let main: Awaited<ReturnType<typeof serveDir>>;
  let security: Awaited<ReturnType<typeof serveDir>>;
  const debs: Record<string, string> = {};
  const deb = (name: string, version: string) => (debs[`${name}=${version}`] ??= makeDeb(dir, name, version));
  // what the release's manifest says the image holds (libc6 as an amd64 package: the index offers it as all)
  const installed: InstalledRef[] = [
    { name: 'systemd', version: '252.38-1~deb12u1', arch: 'all' }, { name: 'curl', version: '7.88.1-10+deb12u12', arch: 'all' },
    { name: 'libc6', version: '2.36-9+deb12u9', arch: 'amd64' }, { name: 'hello', version: '2.10-3', arch: 'all' },
    { name: 'only-in-the-image', version: '1.0', arch: 'all' },
  ];
  const read = (base: { url: string }, suite: string, keyring = key.keyring) =>
    readSuitePackages({ uri: base.url, suite, components: ['main'], architecture: 'amd64', keyring });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herd-updates-'));
    key = makeSigningKey(dir);
    stranger = makeSigningKey(dir, 'Someone Else');
    writeArchive(join(dir, 'main'), 'bookworm', [deb('systemd', '252.38-1~deb12u1'), deb('curl', '7.88.1-10+deb12u12'), deb('libc6', '2.36-9+deb12u9'), deb('hello', '2.10-3')], key, new Date('2026-11-01T00:00:00Z'));
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('curl', '7.88.1-10+deb12u12')], key, new Date('2026-11-01T00:00:00Z'));
    main = await serveDir(join(dir, 'main'));
    security = await serveDir(join(dir, 'security'));
  });
  after(async () => {
    await main?.close();
    await security?.close();
    key?.close();
    stranger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('nothing pending while the archive holds what the image holds', async () => {
    const suites = [await read(main, 'bookworm'), await read(security, 'bookworm-security')];
    assert.deepEqual(pendingUpdates(installed, suites), []);
    assert.equal(suites[0]!.date, 'Sun, 01 Nov 2026 00:00:00 UTC');
  });

  test('the archive moves forward: an update, two security fixes, first-boot packages marked', async () => {
    writeArchive(join(dir, 'main'), 'bookworm', [deb('systemd', '252.39-1~deb12u1'), deb('curl', '7.88.1-10+deb12u12'), deb('libc6', '2.36-9+deb12u9'), deb('hello', '2.10-3')], key, new Date('2026-11-20T00:00:00Z'));
    // the security suite carries an older curl fix too: the newest version wins
    writeArchive(join(dir, 'security'), 'bookworm-security', [deb('curl', '7.88.1-10+deb12u13'), deb('curl', '7.88.1-10+deb12u14'), deb('libc6', '2.36-9+deb12u10')], key, new Date('2026-11-21T00:00:00Z'));
    const pending = pendingUpdates(installed, [await read(main, 'bookworm'), await read(security, 'bookworm-security')]);
    assert.deepEqual(pending.map((p) => [p.name, p.installed, p.candidate, p.from.suite, p.security, p.firstBoot]), [
      ['curl', '7.88.1-10+deb12u12', '7.88.1-10+deb12u14', 'bookworm-security', true, false],
      ['libc6', '2.36-9+deb12u9', '2.36-9+deb12u10', 'bookworm-security', true, true],
      ['systemd', '252.38-1~deb12u1', '252.39-1~deb12u1', 'bookworm', false, true],
    ]);
  });

  test('an index changed after signing is refused, and so is an InRelease signed by a key the keyring lacks', async () => {
    const packages = join(dir, 'main/dists/bookworm/main/binary-amd64/Packages');
    const good = readFileSync(packages, 'utf8');
    writeFileSync(packages, good.replace('Version: 252.39-1~deb12u1', 'Version: 252.99-1~deb12u1'));
    await assert.rejects(read(main, 'bookworm'), (e: Error & { code?: string }) => e.code === 'archive.index_mismatch' && /mid-sync|signs/.test(e.message + (e as { hint?: string }).hint));
    writeFileSync(packages, good);
    await assert.rejects(read(main, 'bookworm', stranger.keyring), (e: Error & { code?: string }) => /^archive\./.test(e.code ?? ''), 'a signature by a key the keyring lacks');
  });

  test('compressed indexes (xz preferred, gz) as Debian serves them; a component the suite lacks is an error', async () => {
    const suiteDir = join(dir, 'main/dists/bookworm');
    const plain = readFileSync(join(suiteDir, 'main/binary-amd64/Packages'));
    const xz = execFileSync('xz', ['-c'], { input: plain });
    const gz = gzipSync(plain);
    writeFileSync(join(suiteDir, 'main/binary-amd64/Packages.xz'), xz);
    writeFileSync(join(suiteDir, 'main/binary-amd64/Packages.gz'), gz);
    const line = (b: Buffer, path: string) => ` ${createHash('sha256').update(b).digest('hex')} ${b.length} ${path}`;
    const release = (entries: string[]) => ['Origin: Herd tests', 'Suite: bookworm', 'Codename: bookworm', 'Date: Mon, 30 Nov 2026 00:00:00 UTC',
      'Architectures: amd64 all', 'Components: main', 'SHA256:', ...entries, ''].join('\n');
    for (const entries of [[line(gz, 'main/binary-amd64/Packages.gz'), line(xz, 'main/binary-amd64/Packages.xz')], [line(gz, 'main/binary-amd64/Packages.gz')]]) {
      writeFileSync(join(suiteDir, 'InRelease'), clearsign(key, release(entries)));
      const s = await read(main, 'bookworm');
      assert.deepEqual(s.packages.find((p) => p.name === 'systemd'), { name: 'systemd', version: '252.39-1~deb12u1', architecture: 'all', source: 'systemd' });
    }
    await assert.rejects(readSuitePackages({ uri: main.url, suite: 'bookworm', components: ['contrib'], architecture: 'amd64', keyring: key.keyring }),
      (e: Error & { code?: string }) => e.code === 'archive.index_missing' && e.message.includes('contrib/binary-amd64'));
  });
});
