import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The parts of a build's manifest.json QA relies on; everything is optional so older/newer manifests still load. */
export interface ImageManifest {
  name?: string;
  architecture?: string;
  footprint?: { docs?: boolean; man?: boolean; locales?: string[] };
  ssh?: { passwordAuthentication?: boolean; rootLogin?: string };
  suites?: string[];
  /** The cloud platform of the image file under test, from its entry in `outputs` (e.g. 'nocloud', 'ec2'). */
  platform?: string;
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
    return normaliseManifest(JSON.parse(text), basename(imagePath));
  } catch {
    return undefined;
  }
}

export function normaliseManifest(raw: unknown, imageFile?: string): ImageManifest {
  const m = (raw ?? {}) as Record<string, unknown>;
  const outputs = Array.isArray(m.outputs) ? m.outputs.map(obj).filter((o) => o !== undefined) : [];
  const fp = obj(m.footprint);
  const ssh = obj(m.ssh);
  return {
    name: str(m.name),
    architecture: str(m.architecture),
    footprint: fp && {
      docs: bool(fp.docs),
      man: bool(fp.man),
      locales: Array.isArray(fp.locales) ? fp.locales.filter((l): l is string => typeof l === 'string') : undefined,
    },
    ssh: ssh && { passwordAuthentication: bool(ssh.passwordAuthentication), rootLogin: str(ssh.rootLogin) },
    suites: Array.isArray(m.suites) ? m.suites.filter((s): s is string => typeof s === 'string') : undefined,
    platform: str(outputs.find((o) => o.file === imageFile)?.platform),
  };
}

/** Images for one specific cloud (ec2, gce, azure…) may leave NoCloud out; generic and nocloud images must read it. */
export function needsNoCloud(platform?: string): boolean {
  return !platform || platform === 'generic' || platform === 'nocloud';
}

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
