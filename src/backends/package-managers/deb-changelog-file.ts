import { execFile } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

/** The largest changelog read (the kernel's is the biggest in Debian, a few MB uncompressed). */
const MAX_CHANGELOG_BYTES = 64 * 1024 * 1024;

/**
 * The Debian changelog a .deb carries (`/usr/share/doc/PACKAGE/changelog.Debian.gz`), as text; undefined when
 * the package has none of its own (many library packages link their doc folder to another package's).
 * Images are built without /usr/share/doc, so a respin's changelog is read from the packages it installed,
 * not from the image. The file and member names go to dpkg-deb and tar as arguments, never through a shell.
 */
export function readDebChangelog(debFile: string, packageName: string): Promise<string | undefined> {
  const member = `./usr/share/doc/${packageName}/changelog.Debian.gz`;
  return new Promise((resolve, reject) => {
    // "$1" and "$2" are the positional arguments after the script: nothing in them is parsed by the shell;
    // pipefail, so a file dpkg-deb cannot read is an error, not an empty archive
    execFile('bash', ['-c', 'set -o pipefail; dpkg-deb --fsys-tarfile "$1" | tar -xO -f - "$2"', 'bash', debFile, member],
      { encoding: 'buffer', maxBuffer: MAX_CHANGELOG_BYTES }, (err, stdout, stderr) => {
        if (err) {
          // tar exits 2 naming the member when the package has no such file: not an error of the package,
          // when that is all that was said (a file that is no .deb makes dpkg-deb and tar say more)
          const said = stderr.toString().split('\n').filter((l) => l && !/Not found in archive|Exiting with failure status/.test(l));
          if (said.length === 0 && /Not found in archive/.test(stderr.toString())) return resolve(undefined);
          return reject(new Error(`cannot read ${member} from ${debFile}: ${stderr.toString().trim() || err.message}`));
        }
        if (stdout.length === 0) return resolve(undefined);
        try {
          resolve(gunzipSync(stdout, { maxOutputLength: MAX_CHANGELOG_BYTES }).toString('utf8'));
        } catch (e) {
          reject(new Error(`${member} in ${debFile} is not gzip: ${(e as Error).message}`));
        }
      });
  });
}
