import { fileNameOf } from './format.ts';

export interface VerifiableArtifact { url: string; signatureUrl: string; sha256: string }

/** A word the shell takes as it is: quoted unless it is made of characters no shell treats specially. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const absolute = (origin: string, path: string) => new URL(path, origin).href;
const chain = (cmds: string[][]) => cmds.map((c) => c.map(shellWord).join(' ')).join(' && \\\n  ');

/**
 * Copy-paste instructions to download an artifact and check it, two ways: `herd verify` (the channel
 * feed's signature, rollback and expiry, then the file's sha256 in it), and plain curl, gpgv and
 * sha256sum for a machine without herd. The publisher's key comes from /keys/keyring.asc; the text says
 * to compare its fingerprint out of band, since a key fetched beside the image proves nothing on its own.
 */
export function verifyCommands(origin: string, channel: string, a: VerifiableArtifact): { herd: string; plain: string } {
  const file = fileNameOf(a.url);
  const sig = fileNameOf(a.signatureUrl);
  const keyring = absolute(origin, '/keys/keyring.asc');
  return {
    herd: chain([
      ['curl', '-fLO', absolute(origin, a.url)],
      ['curl', '-fLO', keyring],
      ['herd', 'verify', '--keyring', 'keyring.asc', absolute(origin, `/feeds/${channel}.json`), file],
    ]),
    plain: chain([
      ['curl', '-fLO', absolute(origin, a.url)],
      ['curl', '-fLO', absolute(origin, a.signatureUrl)],
      ['curl', '-fLO', keyring],
      ['gpg', '--dearmor', '--yes', 'keyring.asc'],
      ['gpgv', '--keyring', './keyring.asc.gpg', sig, file],
    ]) + ` && \\\n  echo ${shellWord(`${a.sha256}  ${file}`)} | sha256sum -c`,
  };
}
