import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The parts of a build's manifest.json QA relies on; everything is optional so older/newer manifests still load. */
export interface ImageManifest {
  name?: string;
  architecture?: string;
  footprint?: { docs?: boolean; man?: boolean; locales?: string[]; budgetBytes?: number };
  ssh?: { passwordAuthentication?: boolean; rootLogin?: string };
  suites?: string[];
}

/** Reads manifest.json next to the image; undefined when there is none or it is not JSON. */
export async function readManifest(imagePath: string): Promise<ImageManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dirname(imagePath), 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return normaliseManifest(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function normaliseManifest(raw: unknown): ImageManifest {
  const m = (raw ?? {}) as Record<string, unknown>;
  const fp = obj(m.footprint);
  const ssh = obj(m.ssh);
  return {
    name: str(m.name),
    architecture: str(m.architecture),
    footprint: fp && {
      docs: bool(fp.docs),
      man: bool(fp.man),
      locales: Array.isArray(fp.locales) ? fp.locales.filter((l): l is string => typeof l === 'string') : undefined,
      budgetBytes: typeof fp.budgetBytes === 'number' ? fp.budgetBytes : undefined,
    },
    ssh: ssh && { passwordAuthentication: bool(ssh.passwordAuthentication), rootLogin: str(ssh.rootLogin) },
    suites: Array.isArray(m.suites) ? m.suites.filter((s): s is string => typeof s === 'string') : undefined,
  };
}

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
