import {
  ActionGroup, Alert, Breadcrumb, BreadcrumbItem, Button, Content, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, PageSection, TextArea, TextInput, Title,
} from '@patternfly/react-core';
import { type FormEvent, useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { apiPost } from '../api/client.ts';
import { Loading } from '../components/LoadState.tsx';
import { RecipeEditor } from '../library/RecipeEditor.tsx';
import { SubmitError } from '../library/SubmitError.tsx';
import { roleAtLeast } from '../library/roles.ts';
import { useOfficialIds } from '../library/use-official-ids.ts';
import { useSession } from '../session.tsx';

const STARTER = `# A template extends an official recipe and adds what differs.
extends: base
name: my-image
description: One line for people
packages:
  - nginx
size-budget:
  qcow2: 300MiB
`;
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}

export function SubmitTemplatePage() {
  const { account, loading } = useSession();
  return (
    <PageSection>
      <Breadcrumb><BreadcrumbItem><Link to="/library">Template library</Link></BreadcrumbItem><BreadcrumbItem isActive>Submit</BreadcrumbItem></Breadcrumb>
      <Title headingLevel="h1">Submit a template</Title>
      {loading ? <Loading what="your session" /> : !account ? (
        <Alert variant="info" isInline title="Sign in to submit a template" data-testid="sign-in-required">
          <p>Anyone can browse the library; submitting needs an account with the contributor role. <Link to="/sign-in?next=%2Flibrary%2Fsubmit" data-testid="sign-in-link">Sign in</Link></p>
        </Alert>
      ) : !roleAtLeast(account.role, 'contributor') ? (
        <Alert variant="warning" isInline title="Your account cannot submit templates" data-testid="role-required">
          <p>Submitting needs the contributor role; {account.name} has the {account.role} role. An administrator can change it.</p>
        </Alert>
      ) : <SubmitForm />}
    </PageSection>
  );
}

function SubmitForm() {
  const navigate = useNavigate();
  const officialIds = useOfficialIds();
  const [title, setTitle] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [recipe, setRecipe] = useState(STARTER);
  const [errors, setErrors] = useState(0);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error>();
  const onChecked = useCallback((n: number) => setErrors(n), []);
  const slugValue = slugEdited ? slug : slugOf(title);
  const slugValid = SLUG.test(slugValue);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const res = await apiPost('/api/library', { slug: slugValue, title, description, recipe });
      navigate(`/library/${res.template.id}`);
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Content component="p">
        Your recipe is checked as you type against the recipe schema <code>herd schema</code> prints. Once submitted, it is built,
        boot-tested and held to its size budget; then a reviewer (someone other than you) reads it. Nothing but the declarative
        recipe runs until a reviewer approves it.
      </Content>
      <Form onSubmit={submit} data-testid="submit-template-form">
        <FormGroup label="Title" isRequired fieldId="template-title">
          <TextInput id="template-title" isRequired maxLength={80} value={title} onChange={(_e, v) => setTitle(v)} data-testid="template-title-input" />
        </FormGroup>
        <FormGroup label="Short name" isRequired fieldId="template-slug">
          <TextInput id="template-slug" isRequired value={slugValue} validated={slugValue && !slugValid ? 'error' : 'default'} aria-describedby="template-slug-help"
            onChange={(_e, v) => { setSlugEdited(true); setSlug(v); }} data-testid="template-slug-input" />
          <FormHelperText><HelperText id="template-slug-help"><HelperTextItem variant={slugValue && !slugValid ? 'error' : 'default'}>
            Lower-case letters, digits and dashes, 2 to 63 characters; it names the template for good.
          </HelperTextItem></HelperText></FormHelperText>
        </FormGroup>
        <FormGroup label="Description" fieldId="template-description">
          <TextArea id="template-description" maxLength={2000} value={description} onChange={(_e, v) => setDescription(v)} resizeOrientation="vertical" data-testid="template-description-input" />
        </FormGroup>
        <FormGroup label="Recipe (YAML)" isRequired fieldId="template-recipe">
          <RecipeEditor id="template-recipe" value={recipe} onChange={setRecipe} officialIds={officialIds} onChecked={onChecked} />
        </FormGroup>
        {failure && <SubmitError title="The template was not submitted" error={failure} />}
        <ActionGroup>
          <Button type="submit" isDisabled={busy || !title.trim() || !slugValid || errors > 0} isLoading={busy} data-testid="submit-template">Submit for checking</Button>
          <Link to="/library">Cancel</Link>
        </ActionGroup>
        {errors > 0 && <HelperText><HelperTextItem variant="error">Fix the recipe's errors to submit it.</HelperTextItem></HelperText>}
      </Form>
    </>
  );
}
