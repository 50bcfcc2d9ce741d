import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepArtifact } from '../stages/stage.ts';

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
    this.root = root;
    this.packages = packages;
    this.steps = join(root, 'steps');
    mkdirSync(this.steps, { recursive: true });
  }

  get(id: string): StepArtifact | undefined {
    const dir = join(this.steps, id);
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(metaFile)) return undefined;
    return { id, dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) };
  }

  /** A fresh folder to build step `id` in. */
  begin(id: string): string {
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

  abort(tmpDir: string): void {
    rmSync(tmpDir, { recursive: true, force: true });
  }

  /** Detaches a finished entry (its tree moves on to the next step) and returns the folder it now lives in. */
  take(id: string): string {
    const detached = `${join(this.steps, '.taken-' + id)}-${process.pid}`;
    renameSync(join(this.steps, id), detached);
    return detached;
  }
}
