import { runCommand } from '../backends/host/run-command.ts';

const probes: Record<string, string[]> = {
  mmdebstrap: ['mmdebstrap', '--version'],
  e2fsprogs: ['mke2fs', '-V'],
  'qemu-img': ['qemu-img', '--version'],
  grub: ['grub-mkimage', '--version'],
  xz: ['xz', '--version'],
  sfdisk: ['sfdisk', '--version'],
  mtools: ['mcopy', '--version'],
};

/** First line of each tool's version output, for the manifest (what built this image). */
export async function toolVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.version };
  await Promise.all(Object.entries(probes).map(async ([name, argv]) => {
    const lines: string[] = [];
    try {
      const { stdout } = await runCommand(argv, { captureStdout: true, onLine: (l) => lines.push(l) });
      out[name] = (stdout.split('\n')[0] || lines[0] || '').trim();
    } catch {
      out[name] = 'unavailable';
    }
  }));
  return Object.fromEntries(Object.entries(out).sort());
}
