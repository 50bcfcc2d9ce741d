import { runCommand } from './run-command.ts';

/** A copy-on-write qcow2 on top of the image under test, enlarged so growpart has room. The base is never written. */
export async function createOverlay(base: string, baseFormat: 'raw' | 'qcow2', overlay: string, sizeBytes: number): Promise<void> {
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, overlay, String(sizeBytes)]);
}
