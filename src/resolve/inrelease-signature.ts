import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../backends/host/run-command.ts';
import { AppError, isAppError } from '../errors.ts';

/** Checks a clear-signed InRelease against a keyring and returns only the text the signature covers. */
export type InReleaseVerifier = (inRelease: string, keyring: string, url: string) => Promise<string>;

/**
 * gpgv, as apt itself uses on Debian 12 (sqv only arrives with trixie). Apt's rule: at least one good
 * signature by a key in the keyring and no bad one; signatures by keys the keyring lacks are ignored
 * (Debian signs with two keys around a release change). The Date and digests Herd trusts come from
 * gpgv's output, never from the unsigned text around the signature.
 */
export const gpgvVerifier: InReleaseVerifier = async (inRelease, keyring, url) => {
  if (!existsSync(keyring)) {
    throw new AppError('archive.keyring_missing', `the archive keyring ${keyring} does not exist on this machine`, {
      kind: 'dependency', hint: 'install debian-archive-keyring, or fix archive.keyring in the recipe',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'herd-inrelease-'));
  const status: string[] = [];
  try {
    const signed = join(dir, 'signed');
    try {
      await runCommand(['gpgv', '--status-fd', '2', '--keyring', keyring, '--output', signed], {
        input: inRelease, onLine: (l) => status.push(l), env: { GNUPGHOME: dir },
      });
    } catch (e) {
      // gpgv fails when any signature cannot be checked; the status lines below decide, like apt
      if (!isAppError(e) || e.code !== 'host.command_failed') throw e;
    }
    const valid = status.filter((l) => l.startsWith('[GNUPG:] VALIDSIG '));
    const bad = status.find((l) => /^\[GNUPG:\] (BADSIG|ERRSIG|EXPKEYSIG|REVKEYSIG) /.test(l));
    if (bad || valid.length === 0 || !existsSync(signed)) {
      const why = bad ? bad.replace('[GNUPG:] ', '') : status.some((l) => l.includes('NO_PUBKEY')) ? 'signed by no key in the keyring' : 'no valid signature';
      throw new AppError('archive.bad_signature', `${url}: signature check failed (${why}); not trusting its Date or digests`, {
        kind: 'dependency',
        hint: `the archive (or something between it and you) served an InRelease that ${keyring} does not vouch for; check archive.keyring and the mirror`,
      });
    }
    return readFileSync(signed, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
