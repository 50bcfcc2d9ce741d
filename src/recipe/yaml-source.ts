import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Path, RecipeIssue } from './issues.ts';
import { formatPath } from './issues.ts';
import { AppError } from '../errors.ts';

export interface Position { file: string; line: number; column: number }

/** A parsed YAML file that can say where any path in it was written. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** Position of the value at `path` (or of its key when `key` is set); undefined when not written here. */
  locate(path: Path, key?: boolean): Position | undefined;
}

export function readYamlSource(file: string, displayName = file): { source?: YamlSource; issues: RecipeIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('recipe.not_found', `cannot read recipe ${displayName}: ${(e as Error).message}`, {
      kind: 'not_found', hint: 'check the path; recipes are YAML files such as recipes/base.yaml',
    });
  }
  return parseYamlSource(text, displayName);
}

export function parseYamlSource(text: string, file: string): { source?: YamlSource; issues: RecipeIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: RecipeIssue[] = doc.errors.map((err) => {
    const pos = lineCounter.linePos(err.pos[0]);
    return { file, line: pos.line, column: pos.col, path: '(yaml)', message: err.message.split('\n')[0] ?? err.message,
      hint: 'this is not valid YAML; check indentation and quoting' };
  });
  if (issues.length) return { issues };
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const locate = (path: Path, key = false): Position | undefined => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let keyNode: Node | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
        if (!pair) return undefined;
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg] as Node | undefined;
        keyNode = undefined;
        if (!node) return undefined;
      } else return undefined;
    }
    const target = key && keyNode ? keyNode : node ?? keyNode;
    return target?.range ? at(target.range[0]) : { file, line: 1, column: 1 };
  };
  return { source: { file, value: doc.toJS() ?? {}, locate }, issues: [] };
}

export function issueAt(src: YamlSource, path: Path, message: string, hint?: string): RecipeIssue {
  const pos = src.locate(path) ?? src.locate(path.slice(0, -1)) ?? { file: src.file, line: 1, column: 1 };
  return { ...pos, path: formatPath(path), message, hint };
}
