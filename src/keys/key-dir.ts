import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The key folder is 0700 and private keys 0600: created that way, and tightened (with a note of what
 * was changed) when an older or hand-made folder is wider, so other local users never read a key.
 * Returns what it fixed, for the CLI to print.
 */
export async function ensureKeyDir(dir: string, create = true): Promise<string[]> {
  const fixed: string[] = [];
  const info = await stat(dir).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return undefined; throw e; });
  if (!info) {
    if (!create) return fixed;
    await mkdir(dirname(dir), { recursive: true });
    // mkdir's mode is masked by the umask; 0700 only loses bits, and chmod makes sure of it.
    await mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    await chmod(dir, 0o700);
    return fixed;
  }
  if ((info.mode & 0o077) !== 0) {
    await chmod(dir, 0o700);
    fixed.push(`${dir}: mode ${octal(info.mode)} -> 700`);
  }
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.key.asc') && name !== 'keys.json') continue;
    const path = join(dir, name);
    const m = (await stat(path)).mode;
    if ((m & 0o077) !== 0) {
      await chmod(path, 0o600);
      fixed.push(`${path}: mode ${octal(m)} -> 600`);
    }
  }
  return fixed;
}

const octal = (mode: number) => (mode & 0o777).toString(8);
