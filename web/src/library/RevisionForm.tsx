import { ActionGroup, Button, Form, FormGroup, HelperText, HelperTextItem } from '@patternfly/react-core';
import { type FormEvent, useCallback, useState } from 'react';
import { apiPost } from '../api/client.ts';
import type { TemplateDetail } from './library-types.ts';
import { RecipeEditor } from './RecipeEditor.tsx';
import { SubmitError } from './SubmitError.tsx';
import { useSubmit } from './use-submit.ts';
import { useOfficialIds } from './use-official-ids.ts';

/** The author's next revision, starting from the current text; submitting it dismisses earlier approvals. */
export function RevisionForm({ template, onDone }: { template: TemplateDetail; onDone(): void }) {
  const currentText = template.revisions.find((r) => r.number === template.current.number)?.recipe ?? '';
  const officialIds = useOfficialIds();
  const [recipe, setRecipe] = useState(currentText);
  const [errors, setErrors] = useState(0);
  const { busy, failure, run } = useSubmit();
  const onChecked = useCallback((n: number) => setErrors(n), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await apiPost('/api/library/{id}/revisions', { recipe }, { params: { id: template.id } });
      onDone();
    });
  };

  return (
    <Form onSubmit={submit} data-testid="revision-form">
      <FormGroup label="Recipe (YAML)" isRequired fieldId="revision-recipe">
        <RecipeEditor id="revision-recipe" value={recipe} onChange={setRecipe} officialIds={officialIds} onChecked={onChecked} />
      </FormGroup>
      <HelperText><HelperTextItem>A new revision is checked again, and approvals of earlier revisions no longer count.</HelperTextItem></HelperText>
      {failure && <SubmitError title="The revision was not submitted" error={failure} />}
      <ActionGroup>
        <Button type="submit" isDisabled={busy || errors > 0 || recipe === currentText} isLoading={busy} data-testid="revision-submit">Submit revision</Button>
      </ActionGroup>
    </Form>
  );
}
