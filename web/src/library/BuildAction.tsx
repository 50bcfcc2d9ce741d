import { Alert, Button, Content } from '@patternfly/react-core';
import { useState } from 'react';
import { Link } from 'react-router';
import { apiPost } from '../api/client.ts';
import type { TemplateDetail } from './library-types.ts';
import { roleAtLeast } from './roles.ts';
import { SubmitError } from './SubmitError.tsx';
import { useSubmit } from './use-submit.ts';

/** "Build image" for an approved template: a job (built and tested, never published) to follow on /builds/:id. */
export function BuildAction({ template, role }: { template: TemplateDetail; role: string | undefined }) {
  const [job, setJob] = useState<string>();
  const { busy, failure, run } = useSubmit();
  if (template.state !== 'approved') {
    return <Content component="p" data-testid="build-unavailable">Images can be built here once a reviewer approves the current revision.</Content>;
  }
  if (role && !roleAtLeast(role, 'contributor')) {
    return <Content component="p" data-testid="build-unavailable">Approved. Building it into images needs the contributor role.</Content>;
  }
  if (!role) {
    return <Content component="p" data-testid="build-unavailable">Approved. <Link to={`/sign-in?next=${encodeURIComponent(`/library/${template.id}`)}`}>Sign in</Link> as a contributor to build it into images.</Content>;
  }
  const build = () => run(async () => {
    setJob((await apiPost('/api/library/{id}/builds', {}, { params: { id: template.id } })).id);
  });
  return (
    <>
      <Button onClick={() => void build()} isDisabled={busy} isLoading={busy} data-testid="build-image">Build image</Button>
      {job && (
        <Alert variant="success" isInline title="Build queued" data-testid="build-queued">
          <Link to={`/builds/${job}`} data-testid="build-link">Follow build {job.slice(0, 8)}</Link>
        </Alert>
      )}
      {failure && <SubmitError title="The build was not queued" error={failure} />}
    </>
  );
}
