import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

/**
 * The layers of src/, highest first. A file may import its own layer or any lower one, never a higher one;
 * the pure layer imports only itself and does no I/O. A top-level folder that is in no layer is an error, so a
 * new area has to be placed in this table before it can be imported.
 */
export const LAYERS: readonly { name: string; rank: number; roots: readonly string[] }[] = [
  { name: 'edge', rank: 5, roots: ['cli', 'api', 'worker'] },
  { name: 'use case', rank: 4, roots: ['release', 'qa', 'library', 'auth'] },
  { name: 'engine', rank: 3, roots: ['engine'] },
  { name: 'stage', rank: 2, roots: ['stages'] },
  { name: 'backend', rank: 1, roots: ['backends', 'store', 'queue', 'keys', 'resolve'] },
  { name: 'pure', rank: 0, roots: ['catalog', 'recipe', 'plan', 'manifest', 'errors.ts'] },
];

/** Node modules that touch the outside world; the pure layer may not import them. */
export const IO_MODULES = new Set(['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'readline', 'worker_threads', 'cluster', 'tls']);

export interface ImportRef { specifier: string; typeOnly: boolean; line: number }
/** A dynamic import() whose argument is not a string literal: the checker cannot see its target. */
export interface OpaqueImport { line: number; text: string }

const STATIC = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*([^)]*?)\s*\)/g;

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

/** The imports of one TypeScript source: static (type-only marked), export-from, and literal dynamic import(). */
export function parseImports(source: string): { imports: ImportRef[]; opaque: OpaqueImport[] } {
  const imports: ImportRef[] = [];
  const opaque: OpaqueImport[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(STATIC)) {
    // `import { type A, type B } from` is type-only too
    const names = m[3] ?? '';
    const allTypes = /^\s*\{([^}]*)\}\s+from\s+$/.exec(names)?.[1]?.split(',').filter((n) => n.trim()).every((n) => /^\s*type\s/.test(n)) ?? false;
    imports.push({ specifier: m[4]!, typeOnly: Boolean(m[2]) || allTypes, line: lineOf(code, m.index!) });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    const arg = m[1]!;
    const literal = /^(['"])([^'"]+)\1$/.exec(arg) ?? /^`([^`$]+)`$/.exec(arg);
    // `typeof import('x')` in a type position is a type-only reference
    const typeOnly = /typeof\s*$/.test(code.slice(Math.max(0, m.index! - 10), m.index!));
    if (literal) imports.push({ specifier: literal[2] ?? literal[1]!, typeOnly, line: lineOf(code, m.index!) });
    else opaque.push({ line: lineOf(code, m.index!), text: m[0] });
  }
  return { imports, opaque };
}

export function layerOf(srcPath: string): (typeof LAYERS)[number] | undefined {
  const root = srcPath.split('/')[0]!;
  return LAYERS.find((l) => l.roots.includes(root));
}

export interface Violation { file: string; line: number; message: string }

/**
 * Checks a graph of src files (paths relative to src/, with their source). `allowIo` lists pure-layer files
 * that still do I/O, each a known debt; an entry that no longer does I/O is reported so the list only shrinks.
 * `allowOpaque` lists files that load code that is not a source file (a build output), each with why; an
 * entry whose file no longer does is reported too.
 */
export function checkGraph(files: ReadonlyMap<string, string>, allowIo: ReadonlyMap<string, string> = new Map(), allowOpaque: ReadonlyMap<string, string> = new Map()): Violation[] {
  const out: Violation[] = [];
  const usedAllowances = new Set<string>();
  const usedOpaque = new Set<string>();
  for (const [file, source] of files) {
    const from = layerOf(file);
    if (!from) { out.push({ file, line: 1, message: `src/${file.split('/')[0]} is in no layer (add it to LAYERS in test/architecture/import-graph.ts)` }); continue; }
    const { imports, opaque } = parseImports(source);
    for (const o of opaque) {
      if (allowOpaque.has(file)) { usedOpaque.add(file); continue; }
      out.push({ file, line: o.line, message: `${o.text}: import a module by a literal path (or statically) so tsc and this check see the dependency` });
    }
    for (const imp of imports) {
      const bare = imp.specifier.replace(/^node:/, '');
      if (!imp.specifier.startsWith('.')) {
        if (from.name === 'pure' && !imp.typeOnly && IO_MODULES.has(bare)) {
          if (allowIo.has(file)) usedAllowances.add(file);
          else out.push({ file, line: imp.line, message: `the ${from.name} layer does no I/O, but this imports ${imp.specifier}` });
        }
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(file), imp.specifier));
      if (target.startsWith('..')) { out.push({ file, line: imp.line, message: `${imp.specifier} is outside src/` }); continue; }
      const to = layerOf(target);
      if (!to) { out.push({ file, line: imp.line, message: `${imp.specifier}: src/${target.split('/')[0]} is in no layer` }); continue; }
      // a type-only import is erased at run time: it shares a shape, not behaviour
      if (imp.typeOnly) continue;
      if (to.rank > from.rank) {
        out.push({ file, line: imp.line, message: `${from.name} (${file.split('/')[0]}) imports ${to.name} (${target}): dependencies point down (${LAYERS.map((l) => l.name).join(' → ')})` });
      }
    }
  }
  for (const [file, why] of allowIo) {
    if (files.has(file) && !usedAllowances.has(file)) out.push({ file, line: 1, message: `allowed to do I/O (${why}) but no longer does: remove it from the allowance list` });
  }
  for (const [file, why] of allowOpaque) {
    if (!usedOpaque.has(file)) out.push({ file, line: 1, message: `allowed a computed import (${why}) but has none: remove it from the allowance list` });
  }
  return out;
}

/** Every non-test .ts file under src/, keyed by its path relative to src/. */
export function readSourceTree(srcDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of readdirSync(srcDir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const abs = join(e.parentPath, e.name);
    files.set(relative(srcDir, abs).split(/[\\/]/).join('/'), readFileSync(abs, 'utf8'));
  }
  return files;
}

