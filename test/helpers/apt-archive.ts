import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * A real, signed apt archive built in a test: an OpenPGP signing key (gpg), tiny packages (dpkg-deb),
 * a Packages index (dpkg-scanpackages), a Release file and its clear-signed InRelease, served over
 * HTTP on 127.0.0.1. Nothing here comes from Herd's own code, so tests of Herd's apt handling are
 * checked against the real tools.
 */

export interface SigningKey {
  home: string;
  /** Binary public keyring with this key, as apt's signed-by and gpgv --keyring take it. */
  keyring: string;
  close(): void;
}

export function makeSigningKey(dir: string, name = 'Herd Test Archive'): SigningKey {
  const home = join(dir, `gnupg-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(home, { mode: 0o700, recursive: true });
  const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  gpg('--passphrase', '', '--quick-gen-key', `${name} <archive@herd.invalid>`, 'ed25519', 'sign', 'never');
  const keyring = join(home, 'public.gpg');
  writeFileSync(keyring, gpg('--export'));
  // gpg starts an agent for the key; stop it when done (it is ours, found by its home folder)
  return { home, keyring, close: () => void execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' }) };
}

export function clearsign(key: SigningKey, text: string): string {
  return execFileSync('gpg', ['--homedir', key.home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', '--clearsign', '--digest-algo', 'SHA256'],
    { input: text, encoding: 'utf8' });
}

/** A .deb with one file (/usr/share/NAME/version holding the version), Architecture: all; with `changelog`, also /usr/share/doc/NAME/changelog.Debian.gz. */
export function makeDeb(dir: string, name: string, version: string, changelog?: string): string {
  const root = join(dir, `${name}-${version}-build`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/share', name), { recursive: true });
  writeFileSync(join(root, 'usr/share', name, 'version'), `${version}\n`);
  if (changelog !== undefined) {
    mkdirSync(join(root, 'usr/share/doc', name), { recursive: true });
    writeFileSync(join(root, 'usr/share/doc', name, 'changelog.Debian.gz'), gzipSync(changelog));
  }
  writeFileSync(join(root, 'DEBIAN/control'), [
    `Package: ${name}`, `Version: ${version}`, 'Architecture: all', 'Maintainer: Herd tests <tests@herd.invalid>',
    'Priority: optional', 'Section: misc', `Description: test package ${name} ${version}`, '',
  ].join('\n'));
  const deb = join(dir, `${name}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb], { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  rmSync(root, { recursive: true, force: true });
  return deb;
}

/**
 * (Re)writes the archive at `root` so suite `suite` holds exactly `debs` (older pool files are removed:
 * the archive has moved on). Release is dated `date`.
 */
export function writeArchive(root: string, suite: string, debs: string[], key: SigningKey, date: Date): void {
  rmSync(join(root, 'pool'), { recursive: true, force: true });
  rmSync(join(root, 'dists', suite), { recursive: true, force: true });
  const pool = join(root, 'pool/main');
  mkdirSync(pool, { recursive: true });
  for (const d of debs) writeFileSync(join(pool, d.split('/').pop()!), readFileSync(d));
  const bin = join(root, 'dists', suite, 'main/binary-amd64');
  mkdirSync(bin, { recursive: true });
  const packages = execFileSync('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  writeFileSync(join(bin, 'Packages'), packages);
  const sha = createHash('sha256').update(packages).digest('hex');
  const release = [
    'Origin: Herd tests', `Suite: ${suite}`, `Codename: ${suite}`, `Date: ${date.toUTCString().replace('GMT', 'UTC')}`,
    'Architectures: amd64 all', 'Components: main', 'Description: a test archive', 'SHA256:',
    ` ${sha} ${Buffer.byteLength(packages)} main/binary-amd64/Packages`, '',
  ].join('\n');
  writeFileSync(join(root, 'dists', suite, 'Release'), release);
  writeFileSync(join(root, 'dists', suite, 'InRelease'), clearsign(key, release));
}

/** A static file server for `root` on 127.0.0.1 (an ephemeral port). */
export async function serveDir(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = join(root, normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, ''));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(path).size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}
