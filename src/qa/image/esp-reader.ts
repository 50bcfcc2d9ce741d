import { runCommand, which } from '../../backends/host/run-command.ts';

/** Lists every file path on the FAT ESP at a byte offset (mtools; no mount). Upper-cased, '/'-rooted. */
export async function listEsp(rawImage: string, offset: number): Promise<string[] | undefined> {
  const mdir = which('mdir');
  if (!mdir) return undefined;
  const r = await runCommand([mdir, '-i', `${rawImage}@@${offset}`, '-/', '-b', '::/'], {
    allowFailure: true,
    env: { MTOOLS_SKIP_CHECK: '1' },
  });
  if (r.code !== 0) return undefined;
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::/'))
    .map((l) => l.slice(2).replace(/\/$/, '').toUpperCase());
}
