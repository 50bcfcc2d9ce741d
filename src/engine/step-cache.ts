import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { treeBytes as duBytes } from '../backends/fs/tree-walk.ts';
import { join, resolve } from 'node:path';
import type { StepArtifact } from '../stages/stage.ts';
import { mountsUnder, unmountUnder } from './mount-guard.ts';
import { AppError } from '../errors.ts';

/**
 * Finished steps by id. An entry exists only once complete: steps are built in a temp folder and
 * renamed into place, so an interrupted build never leaves an entry that looks finished.
 */
export class StepCache {
  readonly root: string;
  /** Downloaded packages: shared even by caches whose steps are separate (reproducibility checks). */
  readonly packages: string;
  private readonly steps: string;

  constructor(root: string, packages = join(root, 'packages')) {
    // absolute, because stages run tools in other working directories (mcopy runs in the ESP's tree)
    this.root = resolve(root);
    this.packages = resolve(packages);
    this.steps = join(this.root, 'steps');
  }

  /**
   * Whether step `id` is finished, without touching anything: what `herd plan` asks. Reading must not
   * count as use, or planning would keep stale entries alive past `herd cache prune`.
   */
  has(id: string): boolean {
    return existsSync(join(this.steps, id, 'meta.json'));
  }

  /** A finished step, marked as used now (a build reuses it): prune keeps entries by last use. */
  get(id: string): StepArtifact | undefined {
    const dir = join(this.steps, id);
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(metaFile)) return undefined;
    const now = new Date();
    utimesSync(metaFile, now, now); // last use, for prune
    return { id, dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) };
  }

  /** A fresh folder to build step `id` in. */
  begin(id: string): string {
    mkdirSync(this.steps, { recursive: true });
    return mkdtempSync(join(this.steps, `.tmp-${id}-`));
  }

  commit(id: string, tmpDir: string, meta: Record<string, unknown>): StepArtifact {
    writeFileSync(join(tmpDir, 'meta.json'), JSON.stringify(meta, null, 1));
    const dir = join(this.steps, id);
    try {
      renameSync(tmpDir, dir);
    } catch (e) {
      // another build finished the same step first: its result is identical by construction
      if (!this.get(id)) throw e;
      rmSync(tmpDir, { recursive: true, force: true });
    }
    return this.get(id)!;
  }

  /**
   * Deletes a failed step's folder. A killed mmdebstrap can leave /proc, /sys and /dev mounts in its tree:
   * those are unmounted first, and if any stays mounted the folder is left alone and the error says so.
   */
  abort(tmpDir: string): void {
    const mounts = unmountUnder(tmpDir);
    if (mounts.length) {
      throw new AppError('cache.mounts_left', `a failed step left ${mounts.length} mount(s) inside ${tmpDir}; not deleting it`, {
        kind: 'dependency', hint: `unmount them (umount -R ${mounts[0]}) and delete the folder`,
      });
    }
    rmSync(tmpDir, { recursive: true, force: true });
  }

  /**
   * Removes entries not used for `olderThanDays` and folders abandoned by killed builds (a day old).
   * Returns what it removed. Entries with something mounted inside are left alone.
   */
  prune(olderThanDays: number): { removed: string[]; bytesFreed: number } {
    const cutoff = Date.now() - olderThanDays * 86_400_000;
    const abandonedCutoff = Date.now() - 86_400_000;
    const removed: string[] = [];
    let bytesFreed = 0;
    if (!existsSync(this.steps)) return { removed, bytesFreed };
    for (const name of readdirSync(this.steps)) {
      const dir = join(this.steps, name);
      const abandoned = name.startsWith('.') && statSync(dir).mtimeMs < abandonedCutoff;
      const meta = join(dir, 'meta.json');
      const stale = !name.startsWith('.') && (!existsSync(meta) || statSync(meta).mtimeMs < cutoff);
      if (!(abandoned || stale) || mountsUnder(dir).length) continue;
      bytesFreed += duBytes(dir);
      rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    }
    return { removed, bytesFreed };
  }

  /** Detaches a finished entry (its tree moves on to the next step) and returns the folder it now lives in. */
  take(id: string): string {
    const detached = `${join(this.steps, '.taken-' + id)}-${process.pid}`;
    renameSync(join(this.steps, id), detached);
    return detached;
  }
}
