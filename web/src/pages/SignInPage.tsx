import { ActionGroup, Alert, Button, Form, FormGroup, PageSection, TextInput, Title } from '@patternfly/react-core';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useSession } from '../session.tsx';

export function SignInPage() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(name, password);
      navigate('/library');
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <PageSection>
      <Title headingLevel="h1">Sign in</Title>
      <p>Accounts are made by an administrator (<code>herd accounts create</code>). Anyone can download images without one.</p>
      {error && <Alert variant="danger" isInline title="Sign-in failed" data-testid="sign-in-error">{error}</Alert>}
      <Form onSubmit={submit} maxWidth="400px">
        <FormGroup label="Account name" isRequired fieldId="name">
          <TextInput id="name" name="name" isRequired value={name} onChange={(_e, v) => setName(v)} autoComplete="username" />
        </FormGroup>
        <FormGroup label="Password" isRequired fieldId="password">
          <TextInput id="password" name="password" type="password" isRequired value={password} onChange={(_e, v) => setPassword(v)} autoComplete="current-password" />
        </FormGroup>
        <ActionGroup><Button type="submit" isDisabled={busy}>Sign in</Button></ActionGroup>
      </Form>
    </PageSection>
  );
}
