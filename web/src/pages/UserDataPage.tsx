import {
  ActionGroup, Alert, Button, Checkbox, Content, Form, FormGroup, FormHelperText, FormSelect, FormSelectOption, Grid, GridItem, HelperText, HelperTextItem,
  PageSection, TextArea, TextInput, Title,
} from '@patternfly/react-core';
import { DownloadIcon } from '@patternfly/react-icons';
import { type ReactNode, useMemo, useState } from 'react';
import { apiGet } from '../api/client.ts';
import { CopyableCode } from '../components/CopyableCode.tsx';
import { LoadError, Loading } from '../components/LoadState.tsx';
import '../components/download.css';
import { FIELD_LABELS, type FieldError, renderUserData, type UserDataField, type UserDataInput, validateUserData } from '../lib/user-data.ts';
import { useApi } from '../lib/use-api.ts';

/** A starting #cloud-config for a chosen image: a user with SSH keys, packages and first-boot commands, checked as typed. */
export function UserDataPage() {
  const catalog = useApi((signal) => apiGet('/api/catalog', { signal }), []);
  // a container image has no cloud-init: only images that boot are offered
  const images = useMemo(() => (catalog.data?.images ?? []).filter((i) => i.platforms.some((p) => p !== 'oci')), [catalog.data]);
  const [imageId, setImageId] = useState('');
  const [input, setInput] = useState<Omit<UserDataInput, 'image'>>({ userName: '', sshKeys: '', sudo: true, packages: '', commands: '' });
  const [touched, setTouched] = useState(false);
  const image = images.find((i) => i.id === imageId) ?? images[0];
  const full: UserDataInput = { ...input, ...(image ? { image: { title: image.title, version: image.latestRelease?.version } } : {}) };
  const errors = validateUserData(full);
  const shown = touched ? errors : errors.filter((e) => fieldTouched(e.field, input));
  const text = errors.length === 0 ? renderUserData(full) : undefined;
  const set = <K extends keyof typeof input>(k: K) => (_e: unknown, v: (typeof input)[K]) => setInput((s) => ({ ...s, [k]: v }));
  const download = () => {
    if (!text) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/cloud-config' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'user-data' });
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Cloud-init user-data helper</Title>
        <Content component="p">Write a starting user-data for an image: your user with SSH keys, packages to install and commands to run at first boot. Pass it as user-data when you launch an instance, or in a NoCloud seed for QEMU.</Content>
      </PageSection>
      <PageSection>
        {catalog.error && <LoadError what="the images" error={catalog.error} />}
        {!catalog.data && !catalog.error && <Loading what="the images" />}
        <Grid hasGutter>
          <GridItem md={6}>
            <Form onSubmit={(e) => { e.preventDefault(); setTouched(true); }} aria-label="User-data settings">
              <FormGroup label="Image" fieldId="ud-image">
                <FormSelect id="ud-image" value={image?.id ?? ''} onChange={(_e, v) => setImageId(v)} data-testid="ud-image">
                  {images.map((i) => <FormSelectOption key={i.id} value={i.id} label={`${i.title}${i.latestRelease ? ` (${i.latestRelease.version})` : ''}`} />)}
                </FormSelect>
              </FormGroup>
              <Field id="userName" errors={shown} hint="The account cloud-init creates, besides the image's own default user.">
                <TextInput id="ud-userName" value={input.userName} onChange={set('userName')} isRequired autoComplete="off" spellCheck={false} validated={valid('userName', shown)} aria-describedby="ud-userName-help" data-testid="ud-userName" />
              </Field>
              <Field id="sshKeys" errors={shown} hint="One OpenSSH public key per line (the contents of ~/.ssh/id_ed25519.pub). Password log-in is disabled.">
                <TextArea id="ud-sshKeys" value={input.sshKeys} onChange={set('sshKeys')} isRequired rows={3} resizeOrientation="vertical" spellCheck={false} validated={valid('sshKeys', shown)} aria-describedby="ud-sshKeys-help" data-testid="ud-sshKeys" />
              </Field>
              <Checkbox id="ud-sudo" label="Allow the user to run sudo without a password" isChecked={input.sudo} onChange={(_e, v) => setInput((s) => ({ ...s, sudo: v }))} />
              <Field id="packages" errors={shown} hint="Debian package names, separated by spaces or commas; installed at first boot.">
                <TextInput id="ud-packages" value={input.packages} onChange={set('packages')} spellCheck={false} validated={valid('packages', shown)} aria-describedby="ud-packages-help" data-testid="ud-packages" />
              </Field>
              <Field id="commands" errors={shown} hint="One shell command per line, run once as root at the end of the first boot.">
                <TextArea id="ud-commands" value={input.commands} onChange={set('commands')} rows={4} resizeOrientation="vertical" spellCheck={false} validated={valid('commands', shown)} aria-describedby="ud-commands-help" data-testid="ud-commands" />
              </Field>
              <ActionGroup><Button type="submit" variant="secondary">Check</Button></ActionGroup>
            </Form>
          </GridItem>
          <GridItem md={6}>
            <Title headingLevel="h2" size="lg">user-data</Title>
            {touched && errors.length > 0 && (
              <Alert variant="danger" isInline title={`${errors.length} problem${errors.length === 1 ? '' : 's'} to fix`} data-testid="ud-errors">
                <ul>{errors.map((e, i) => <li key={i}><strong>{e.label}</strong>: {e.message}</li>)}</ul>
              </Alert>
            )}
            {text ? (
              <>
                <CopyableCode text={text} label="user-data" testId="ud-output" />
                <div className="herd-toolbar"><Button variant="primary" icon={<DownloadIcon />} onClick={download} data-testid="ud-download">Download user-data</Button></div>
              </>
            ) : <Content component="p" className="herd-muted" data-testid="ud-pending">Fill in a user name and an SSH key; the document appears here once everything is valid.</Content>}
          </GridItem>
        </Grid>
      </PageSection>
    </>
  );
}

/** A field is judged once the reader has typed in it (or pressed Check), not while the form is still empty. */
function fieldTouched(field: UserDataField, input: Omit<UserDataInput, 'image'>): boolean {
  return String(input[field]).trim() !== '';
}

function valid(field: UserDataField, errors: FieldError[]): 'error' | 'default' {
  return errors.some((e) => e.field === field) ? 'error' : 'default';
}

function Field({ id, errors, hint, children }: { id: UserDataField; errors: FieldError[]; hint: string; children: ReactNode }) {
  const mine = errors.filter((e) => e.field === id);
  return (
    <FormGroup label={FIELD_LABELS[id]} fieldId={`ud-${id}`} isRequired={id === 'userName' || id === 'sshKeys'}>
      {children}
      <FormHelperText>
        <HelperText id={`ud-${id}-help`} isLiveRegion>
          {mine.length ? mine.map((e, i) => <HelperTextItem key={i} variant="error" data-testid={`ud-error-${id}`}>{e.label}: {e.message}</HelperTextItem>)
            : <HelperTextItem>{hint}</HelperTextItem>}
        </HelperText>
      </FormHelperText>
    </FormGroup>
  );
}
