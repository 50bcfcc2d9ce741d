import { packageFor as catalogPackage } from '../catalog/host-tools.ts';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { missingTool } from './run.ts';

/** Tools QA needs beyond the catalogue's list (src/catalog/host-tools.ts). */
const QA_PACKAGES: Record<string, string> = { mdir: 'mtools', mmd: 'mtools', xorriso: 'xorriso' };

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export function packageFor(tool: string): string | undefined {
  if (tool.startsWith('/usr/share/OVMF/')) return 'ovmf';
  return catalogPackage(tool) ?? QA_PACKAGES[tool];
}

export function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat('/usr/sbin', '/sbin')) {
    const p = join(dir, tool);
    try { accessSync(p, constants.X_OK); return p; } catch { /* keep looking */ }
  }
  return undefined;
}

/** Fails fast, naming the Debian package, before any long work starts. */
export function requireTools(tools: readonly string[]): void {
  for (const t of tools) {
    if (t.startsWith('/')) {
      try { accessSync(t, constants.R_OK); } catch { throw missingTool(t); }
    } else if (!which(t)) {
      throw missingTool(t);
    }
  }
}
