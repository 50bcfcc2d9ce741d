import { ActionGroup, Alert, Button, Form, FormGroup, PageSection, TextInput, Title } from '@patternfly/react-core';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useSession } from '../session.tsx';

/**
 * Where to go after signing in: `?next=` when it is a path of this portal, else the library. Anything
 * else (another origin, `//host`, a scheme, a backslash trick) is ignored: no open redirect.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f]/.test(next) || next.startsWith('/sign-in')) return '/library';
  return next;
}

interface Failure { title: string; message: string; hint?: string; status?: number }

function failureOf(err: unknown): Failure {
  if (!(err instanceof ApiError)) return { title: 'Sign-in failed', message: err instanceof Error ? err.message : String(err) };
  const title = err.status === 429 ? 'Sign-in is paused' : err.status === 401 ? 'Wrong account name or password' : 'Sign-in failed';
  return { title, message: err.message, hint: err.hint, status: err.status };
}

export function SignInPage() {
  const { signIn, account } = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const next = safeNext(search.get('next'));
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<Failure | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await signIn(name, password);
      navigate(next, { replace: true });
    } catch (err) {
      setFailure(failureOf(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <PageSection>
      <Title headingLevel="h1">Sign in</Title>
      <p>Accounts are made by an administrator (<code>herd accounts create</code>). Anyone can download images without one.</p>
      {account && (
        <Alert variant="info" isInline isPlain data-testid="sign-in-already" title={`You are signed in as ${account.name} (${account.role}).`}>
          <Link to={next}>Continue</Link>
        </Alert>
      )}
      {failure && (
        <Alert variant={failure.status === 429 ? 'warning' : 'danger'} isInline title={failure.title} data-testid="sign-in-error" data-status={failure.status}>
          <p data-testid="sign-in-error-message">{failure.message}</p>
          {failure.hint && <p data-testid="sign-in-error-hint">{failure.hint}</p>}
        </Alert>
      )}
      <Form onSubmit={submit} maxWidth="400px" aria-label="Sign in">
        <FormGroup label="Account name" isRequired fieldId="name">
          <TextInput id="name" name="name" isRequired value={name} onChange={(_e, v) => setName(v)} autoComplete="username"
            autoCapitalize="none" spellCheck={false} validated={failure?.status === 401 ? 'error' : 'default'} />
        </FormGroup>
        <FormGroup label="Password" isRequired fieldId="password">
          <TextInput id="password" name="password" type="password" isRequired value={password} onChange={(_e, v) => setPassword(v)}
            autoComplete="current-password" validated={failure?.status === 401 ? 'error' : 'default'} />
        </FormGroup>
        <ActionGroup><Button type="submit" isDisabled={busy} isLoading={busy} data-testid="sign-in-submit">Sign in</Button></ActionGroup>
      </Form>
    </PageSection>
  );
}
