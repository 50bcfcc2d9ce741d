import { posix } from 'node:path';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FsEntry {
  path: string;
  type: EntryType;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  perm: number;
  uid: number;
  gid: number;
  size: number;
}

/** A listing of every path in a filesystem, as read from the image (never from the host). */
export class FsIndex {
  readonly #entries = new Map<string, FsEntry>();
  readonly #children = new Map<string, string[]>();

  add(entry: FsEntry): void {
    this.#entries.set(entry.path, entry);
    if (entry.path === '/') return;
    const parent = posix.dirname(entry.path);
    const list = this.#children.get(parent) ?? [];
    list.push(entry.path);
    this.#children.set(parent, list);
  }

  get(path: string): FsEntry | undefined {
    return this.#entries.get(path);
  }

  has(path: string): boolean {
    return this.#entries.has(path);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Direct children of a directory, sorted. */
  children(dir: string): FsEntry[] {
    return (this.#children.get(dir) ?? []).sort().map((p) => this.#entries.get(p)!);
  }

  /** Every entry strictly below dir. */
  under(dir: string): FsEntry[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    return [...this.#entries.values()].filter((e) => e.path.startsWith(prefix) && e.path !== '/');
  }

  /** Every entry whose path matches. */
  match(re: RegExp): FsEntry[] {
    return [...this.#entries.values()].filter((e) => re.test(e.path));
  }

  all(): IterableIterator<FsEntry> {
    return this.#entries.values();
  }
}

export function entryType(mode: number): EntryType {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    default: return 'other';
  }
}
