import { Alert } from '@patternfly/react-core';
import { ApiError } from '../api/client.ts';

interface Issue { file?: string; line?: number; column?: number; path?: string; message?: string; hint?: string }

function issuesOf(e: Error): Issue[] {
  const d = e instanceof ApiError ? e.details : undefined;
  return Array.isArray(d) ? d.filter((i): i is Issue => !!i && typeof i === 'object') : [];
}

/** A refused write as the server stated it; a recipe's issues one per line with where they are. All of it text. */
export function SubmitError({ title, error }: { title: string; error: Error }) {
  const issues = issuesOf(error);
  const hint = error instanceof ApiError ? error.hint : undefined;
  return (
    <Alert variant="danger" isInline title={title} data-testid="submit-error">
      {issues.length ? (
        <ul>
          {issues.map((i, n) => (
            <li key={n}>
              {i.line !== undefined && <strong>{i.file && i.file !== 'recipe.yaml' ? `${i.file} ` : ''}line {i.line}:{i.column ?? 1} </strong>}
              {i.path && <code>{i.path}</code>} {i.message}{i.hint ? ` (${i.hint})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p className="herd-prewrap">{error.message}</p>
      )}
      {hint && <p>{hint}</p>}
    </Alert>
  );
}
