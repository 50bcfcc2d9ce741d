import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../errors.ts';

/**
 * The output folder appears whole or not at all: files are written into a hidden sibling, which
 * replaces the folder in one rename at the end. A failed or interrupted build leaves no folder that looks complete.
 */
export class OutputDir {
  readonly final: string;
  readonly staging: string;

  constructor(out: string) {
    this.final = resolve(out);
    mkdirSync(dirname(this.final), { recursive: true });
    if (existsSync(this.final) && readdirSync(this.final).some((f) => !isHerdOutput(f))) {
      throw new AppError('output.not_empty', `${out} holds files Herd did not write`, { hint: 'choose an empty or new folder for --out' });
    }
    this.staging = mkdtempSync(join(dirname(this.final), `.${basename(this.final)}.partial-`));
    chmodSync(this.staging, 0o755); // mkdtemp makes it private; an output folder is meant to be shared
  }

  path(file: string): string {
    return join(this.staging, file);
  }

  commit(): void {
    const old = existsSync(this.final) ? `${this.staging}.old` : undefined;
    if (old) renameSync(this.final, old);
    renameSync(this.staging, this.final);
    if (old) rmSync(old, { recursive: true, force: true });
  }

  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }
}

const HERD_FILES = /^(disk\.(raw|qcow2|raw\.xz|vmdk|vhd|gce\.tar\.gz)|manifest\.json|SHA256SUMS|build\.log|resolved\.json|plan\.json|size-report\.(txt|json)|qa|report\.json|junit\.xml)$/;
function isHerdOutput(f: string): boolean {
  return HERD_FILES.test(f);
}
