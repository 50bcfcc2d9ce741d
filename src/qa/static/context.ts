import type { RootFs } from '../image/ext4-reader.ts';
import type { FsIndex } from '../image/fs-index.ts';
import type { ImageManifest } from '../image/manifest.ts';
import type { PartitionTable } from '../image/partitions.ts';
import type { CheckOutcome } from '../types.ts';

/** Everything a static check may look at: the image's filesystem, never the host's. */
export interface StaticContext {
  fs: RootFs;
  index: FsIndex;
  table: PartitionTable;
  /** Files on the ESP ('/EFI/BOOT/BOOTX64.EFI'), or undefined when it could not be read. */
  esp?: string[];
  manifest?: ImageManifest;
  virtualSize: number;
}

/** One static check: an id from the checklist, a title, and a function that returns what it found. */
export interface StaticCheck {
  id: string;
  title: string;
  run(ctx: StaticContext): Promise<CheckOutcome> | CheckOutcome;
}

/** Reads a file from the image as lines, without comments and blank lines. */
export async function configLines(ctx: StaticContext, path: string): Promise<string[]> {
  const text = await ctx.fs.read(path);
  if (text === undefined) return [];
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/** Regular files directly in a directory whose names match. */
export function filesIn(ctx: StaticContext, dir: string, name: RegExp = /./): string[] {
  return ctx.index
    .children(dir)
    .filter((e) => (e.type === 'file' || e.type === 'symlink') && name.test(e.path.slice(dir.length + 1)))
    .map((e) => e.path);
}

export const found = (path: string, message: string) => ({ path, message });
