import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type QaManifestView, qaView } from '../../manifest/manifest-schema.ts';

/** The parts of a build's manifest.json QA relies on (defined with the manifest schema, src/manifest/). */
export type ImageManifest = QaManifestView;

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
  return qaView(raw, imageFile);
}

/** Images for one specific cloud (ec2, gce, azure…) may leave NoCloud out; generic and nocloud images must read it. */
export function needsNoCloud(platform?: string): boolean {
  return !platform || platform === 'generic' || platform === 'nocloud';
}
