import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '../../errors.ts';
import { runCommand } from './run-command.ts';

export interface NoCloudSeed {
  userData: string;
  metaData: string;
  networkConfig?: string;
}

/**
 * Writes a NoCloud seed ISO (volume id "cidata") holding user-data, meta-data and optionally
 * network-config. Uses cloud-localds, or xorriso when cloud-image-utils is not installed.
 */
export async function makeSeedIso(dir: string, seed: NoCloudSeed): Promise<string> {
  const src = join(dir, 'seed');
  await mkdir(src, { recursive: true });
  const files = ['user-data', 'meta-data'];
  await writeFile(join(src, 'user-data'), seed.userData);
  await writeFile(join(src, 'meta-data'), seed.metaData);
  if (seed.networkConfig) {
    await writeFile(join(src, 'network-config'), seed.networkConfig);
    files.push('network-config');
  }
  const iso = join(dir, 'seed.iso');
  const net = seed.networkConfig ? ['--network-config', join(src, 'network-config')] : [];
  try {
    await runCommand(['cloud-localds', ...net, iso, join(src, 'user-data'), join(src, 'meta-data')]);
  } catch (e) {
    if (!isAppError(e) || e.code !== 'host.tool_missing') throw e;
    await runCommand(['xorriso', '-as', 'mkisofs', '-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', ...files], { cwd: src });
  }
  return iso;
}
