import { execFileSync, spawnSync } from 'node:child_process';

/** Runs a host command and returns stdout; throws with stderr on failure. */
export function sh(argv: string[], opts: { input?: string } = {}): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input: opts.input, maxBuffer: 256 * 1024 * 1024 });
}

/** Reads a file from the ext4 partition of a raw disk without mounting: debugfs on an extracted copy. */
export function debugfsCat(rootImg: string, path: string): string | undefined {
  const r = spawnSync('debugfs', ['-R', `cat "${path}"`, rootImg], { encoding: 'utf8' });
  return /File not found/.test(r.stderr) ? undefined : r.stdout;
}

export function debugfsLs(rootImg: string, path: string): string[] {
  const r = spawnSync('debugfs', ['-R', `ls -p "${path}"`, rootImg], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('/')[5] ?? '').filter((n) => n && n !== '.' && n !== '..');
}

export function debugfsStat(rootImg: string, path: string): string {
  return spawnSync('debugfs', ['-R', `stat "${path}"`, rootImg], { encoding: 'utf8' }).stdout;
}

export function hasTools(...tools: string[]): boolean {
  return tools.every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
}
