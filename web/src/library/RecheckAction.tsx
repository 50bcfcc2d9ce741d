import { Button, Content } from '@patternfly/react-core';
import { apiPost } from '../api/client.ts';
import type { Revision, TemplateDetail } from './library-types.ts';
import { SubmitError } from './SubmitError.tsx';
import { useSubmit } from './use-submit.ts';

/**
 * For the author of a template whose current check failed before the image was judged (a build error, a
 * job that ended without a result): run the same check again on the same text. A failed size budget or
 * boot test stands until a new revision, so no button then (the server refuses it too: review-policy.ts).
 */
export function RecheckAction({ template, revision, onDone }: { template: TemplateDetail; revision: Revision; onDone(): void }) {
  const { busy, failure, run } = useSubmit();
  if (revision.check.state !== 'failed') return null;
  if (revision.check.detail?.build === 'passed') {
    return <Content component="p" data-testid="recheck-unavailable">The image itself failed its check: submit a new revision that fixes it.</Content>;
  }
  const recheck = () => run(async () => {
    await apiPost('/api/library/{id}/checks', { revision: revision.digest }, { params: { id: template.id } });
    onDone();
  });
  return (
    <>
      <Content component="p">The check failed before the image could be judged; it may pass on a second run.</Content>
      <Button variant="secondary" onClick={() => void recheck()} isDisabled={busy} isLoading={busy} data-testid="recheck">Run the check again</Button>
      {failure && <SubmitError title="The check was not started again" error={failure} />}
    </>
  );
}
