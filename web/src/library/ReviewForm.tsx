import { ActionGroup, Alert, Button, Form, FormGroup, Radio, TextArea } from '@patternfly/react-core';
import { type FormEvent, useState } from 'react';
import { apiPost } from '../api/client.ts';
import { ShortDigest } from './labels.tsx';
import type { TemplateDetail } from './library-types.ts';
import { SubmitError } from './SubmitError.tsx';
import { useSubmit } from './use-submit.ts';

type Verdict = 'approve' | 'request_changes';

/**
 * A reviewer's verdict, bound to the digest of the revision on screen: if the author submits a new revision
 * meanwhile, the server refuses this review rather than apply it to text the reviewer has not read.
 */
export function ReviewForm({ template, onDone }: { template: TemplateDetail; onDone(): void }) {
  const [verdict, setVerdict] = useState<Verdict>();
  const [comment, setComment] = useState('');
  const { busy, failure, run } = useSubmit();
  const digest = template.current.digest;
  const check = template.revisions.find((r) => r.number === template.current.number)?.check.state;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!verdict) return;
    await run(async () => {
      await apiPost('/api/library/{id}/reviews', { revision: digest, verdict, comment }, { params: { id: template.id } });
      setVerdict(undefined);
      setComment('');
      onDone();
    });
  };

  return (
    <Form onSubmit={submit} data-testid="review-form" data-digest={digest}>
      <p>You are reviewing revision {template.current.number} (<ShortDigest digest={digest} />): the text shown above.</p>
      {check !== 'passed' && (
        <Alert variant="info" isInline isPlain title="This revision's check has not passed">
          A template is reviewable once its build, boot test and size budget have passed.
        </Alert>
      )}
      <FormGroup role="radiogroup" isInline fieldId="review-verdict" label="Verdict" isRequired>
        <Radio id="review-approve" name="verdict" label="Approve" isChecked={verdict === 'approve'} onChange={() => setVerdict('approve')} data-testid="review-verdict-approve" />
        <Radio id="review-request-changes" name="verdict" label="Request changes" isChecked={verdict === 'request_changes'} onChange={() => setVerdict('request_changes')} data-testid="review-verdict-request-changes" />
      </FormGroup>
      <FormGroup label="Comment" fieldId="review-comment">
        <TextArea id="review-comment" maxLength={4000} value={comment} onChange={(_e, v) => setComment(v)} resizeOrientation="vertical" data-testid="review-comment" />
      </FormGroup>
      {failure && <SubmitError title="The review was not recorded" error={failure} />}
      <ActionGroup>
        <Button type="submit" isDisabled={!verdict || busy || check !== 'passed'} isLoading={busy} data-testid="review-submit">Submit review</Button>
      </ActionGroup>
    </Form>
  );
}
