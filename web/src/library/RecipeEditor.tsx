import { Alert, FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { apiGet } from '../api/client.ts';
import { type Problem, type RecipeValidator, recipeProblems } from './recipe-validate.ts';
import './library.css';

interface Compiled { validate: RecipeValidator; schema: unknown; stale: boolean }

/**
 * The precompiled validator is a chunk of its own: only pages with an editor load it. It was compiled when
 * the portal was built; the server's schema (GET /api/recipe-schema) says whether that build is current.
 */
function useValidator(): Compiled | undefined {
  const [v, setV] = useState<Compiled>();
  useEffect(() => {
    let live = true;
    void Promise.all([import('virtual:recipe-validator'), apiGet('/api/recipe-schema').catch(() => undefined)]).then(([m, served]) => {
      if (live) setV({ validate: m.default, schema: m.schema, stale: !!served && JSON.stringify(served) !== JSON.stringify(m.schema) });
    });
    return () => { live = false; };
  }, []);
  return v;
}

/** Checks `text` shortly after typing stops, so each keystroke does not re-run the schema. */
function useProblems(text: string, officialIds: readonly string[] | undefined): { problems?: Problem[]; stale: boolean } {
  const compiled = useValidator();
  const [problems, setProblems] = useState<Problem[]>();
  useEffect(() => {
    if (!compiled) return;
    const t = setTimeout(() => setProblems(recipeProblems(text, compiled.validate, { schema: compiled.schema, officialIds })), 150);
    return () => clearTimeout(t);
  }, [text, compiled, officialIds]);
  return { problems, stale: compiled?.stale ?? false };
}

function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return Math.min(at + column - 1, text.length);
}

export interface RecipeEditorProps {
  id: string;
  value: string;
  onChange(text: string): void;
  /** Official recipe ids, for the `extends` hint. */
  officialIds?: readonly string[];
  /** Told the count of schema errors after each check (hints do not count: the server decides those). */
  onChecked?(errors: number): void;
  describedBy?: string;
}

/**
 * A recipe's YAML with line numbers and its problems as you type, each a button that puts the caret where
 * the problem is. A plain textarea: no editor library, and the text stays text.
 */
export function RecipeEditor({ id, value, onChange, officialIds, onChecked, describedBy }: RecipeEditorProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const { problems, stale } = useProblems(value, officialIds);
  const lineCount = useMemo(() => value.split('\n').length, [value]);
  const marks = useMemo(() => new Map((problems ?? []).map((p) => [p.line, p.severity] as const)), [problems]);
  const errors = problems?.filter((p) => p.severity === 'error').length ?? 0;
  useEffect(() => { if (problems) onChecked?.(errors); }, [problems, errors, onChecked]);

  const goTo = (p: Problem) => {
    const el = area.current;
    if (!el) return;
    const at = offsetOf(value, p.line, p.column);
    el.focus();
    el.setSelectionRange(at, at);
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (p.line - 3) * lineHeight);
  };

  return (
    <div className="herd-recipe-editor">
      {stale && (
        <Alert variant="warning" isInline isPlain title="This page checks recipes against an older recipe format than the server's" data-testid="recipe-schema-stale">
          The server's check decides; the portal needs rebuilding (<code>npm run build:web</code>).
        </Alert>
      )}
      <div className="herd-recipe-editor__frame">
        <div className="herd-recipe-editor__gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} className={marks.has(i + 1) ? `herd-recipe-editor__mark--${marks.get(i + 1)}` : undefined}>{i + 1}</div>
          ))}
        </div>
        <textarea
          id={id} ref={area} className="herd-recipe-editor__text" data-testid="recipe-editor"
          value={value} onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
          spellCheck={false} autoCapitalize="off" autoCorrect="off" autoComplete="off" wrap="off"
          aria-invalid={errors > 0} aria-describedby={[`${id}-problems`, describedBy].filter(Boolean).join(' ')}
        />
      </div>
      <div id={`${id}-problems`} aria-live="polite">
        {!problems ? (
          <FormHelperText><HelperText><HelperTextItem>Loading the recipe checks…</HelperTextItem></HelperText></FormHelperText>
        ) : problems.length === 0 ? (
          <FormHelperText><HelperText><HelperTextItem variant="success" data-testid="recipe-problem-count">No problems found</HelperTextItem></HelperText></FormHelperText>
        ) : (
          <Alert isInline isPlain variant={errors ? 'danger' : 'warning'} data-testid="recipe-problem-count"
            title={`${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} hint${problems.length - errors === 1 ? '' : 's'}`}>
            <ul className="herd-recipe-editor__problems" data-testid="recipe-problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <button type="button" className={`herd-recipe-editor__problem herd-recipe-editor__problem--${p.severity}`}
                    data-testid="recipe-problem" data-line={p.line} data-column={p.column} data-severity={p.severity} onClick={() => goTo(p)}>
                    <span className="herd-recipe-editor__where">{p.severity === 'hint' ? 'Hint' : 'Error'}, line {p.line}:{p.column}</span>{' '}
                    <code>{p.path}</code> {p.message}
                  </button>
                </li>
              ))}
            </ul>
          </Alert>
        )}
      </div>
    </div>
  );
}
