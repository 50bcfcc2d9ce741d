import { Alert, Bullseye, Spinner } from '@patternfly/react-core';
import { ApiError } from '../api/client.ts';

/** The one way a page says it is waiting. */
export function Loading({ what }: { what: string }) {
  return <Bullseye><Spinner size="lg" aria-label={`Loading ${what}`} /></Bullseye>;
}

/** An API failure as the service stated it: its message and hint, never a stack. */
export function LoadError({ what, error }: { what: string; error: Error }) {
  const hint = error instanceof ApiError ? error.hint : undefined;
  return (
    <Alert variant="danger" isInline title={`Could not load ${what}`} data-testid="load-error">
      <p>{error.message}</p>
      {hint && <p>{hint}</p>}
    </Alert>
  );
}
