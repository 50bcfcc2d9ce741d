import { Button, Content, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, EmptyState, EmptyStateBody, Title } from '@patternfly/react-core';
import { DownloadIcon, ExternalLinkAltIcon } from '@patternfly/react-icons';
import type { Artifact, CloudImage } from '../lib/api-types.ts';
import { fileNameOf, formatBytes } from '../lib/format.ts';
import type { PlatformTab } from '../lib/platform-tabs.ts';
import { verifyCommands } from '../lib/verify-commands.ts';
import { CopyableCode } from './CopyableCode.tsx';
import { DataTable } from './DataTable.tsx';

/** One platform tab: its files (with sha256, signature and how to check them) and its published cloud images. */
export function DownloadPanel({ tab, artifacts, cloudImages, channel, version }: {
  tab: PlatformTab; artifacts: Artifact[]; cloudImages: CloudImage[]; channel: string; version: string;
}) {
  const files = tab.formats.flatMap((f) => artifacts.filter((a) => a.format === f));
  const clouds = cloudImages.filter((c) => tab.clouds.includes(c.platform));
  if (files.length === 0 && clouds.length === 0) {
    return (
      <EmptyState titleText={`Nothing published for ${tab.title} in ${version}`} headingLevel="h3" data-testid={`tab-empty-${tab.id}`}>
        <EmptyStateBody>This release has no {tab.formats.length ? tab.formats.join(' or ') : 'cloud image'} for this architecture. Another release or architecture may have one.</EmptyStateBody>
      </EmptyState>
    );
  }
  return (
    <>
      <Content component="p">{tab.use}</Content>
      {clouds.length > 0 && <CloudImageTable tab={tab} images={clouds} />}
      {files.map((a) => <ArtifactDownload key={a.id} artifact={a} channel={channel} />)}
    </>
  );
}

function CloudImageTable({ tab, images }: { tab: PlatformTab; images: CloudImage[] }) {
  return (
    <div className="herd-section" data-testid={`cloud-images-${tab.id}`}>
      <DataTable caption={`${tab.imageIdTitle ?? 'Image'} per region`} rows={images} rowKey={(c) => `${c.platform}/${c.region}`} columns={[
        { title: 'Region', cell: (c) => c.region },
        { title: tab.imageIdTitle ?? 'Image', cell: (c) => <code className="herd-mono" data-testid={`cloud-image-${c.region}`}>{c.imageId}</code> },
        ...(tab.launch ? [{ title: 'Launch', cell: (c: CloudImage) => (
          <a href={tab.launch!(c.region, c.imageId)} target="_blank" rel="noopener noreferrer" data-testid={`launch-${c.region}`}>
            Launch in {c.region} <ExternalLinkAltIcon aria-hidden="true" />
          </a>
        ) }] : []),
      ]} />
    </div>
  );
}

function ArtifactDownload({ artifact: a, channel }: { artifact: Artifact; channel: string }) {
  const file = fileNameOf(a.url);
  const cmds = verifyCommands(window.location.origin, channel, a);
  return (
    <section className="herd-section" aria-label={file} data-testid={`artifact-${a.format}`}>
      <Title headingLevel="h3" size="md">{file}</Title>
      <DescriptionList isCompact isHorizontal horizontalTermWidthModifier={{ default: '10ch' }}>
        <DescriptionListGroup><DescriptionListTerm>Size</DescriptionListTerm><DescriptionListDescription data-testid={`size-${a.format}`}>{formatBytes(a.size)}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>SHA-256</DescriptionListTerm><DescriptionListDescription><code className="herd-mono" data-testid={`sha256-${a.format}`}>{a.sha256}</code></DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Signature</DescriptionListTerm><DescriptionListDescription><a href={a.signatureUrl} data-testid={`signature-${a.format}`}>{fileNameOf(a.signatureUrl)}</a> (OpenPGP, <a href="/keys/keyring.asc">release keys</a>)</DescriptionListDescription></DescriptionListGroup>
      </DescriptionList>
      <div className="herd-toolbar">
        <Button component="a" href={a.url} download={file} icon={<DownloadIcon />} data-testid={`download-${a.format}`}>Download {file} ({formatBytes(a.size)})</Button>
      </div>
      <Title headingLevel="h4" size="md">Verify with herd</Title>
      <Content component="p" className="herd-muted">Checks the {channel} feed's signature, expiry and rollback, then the file's sha256 in it.</Content>
      <CopyableCode text={cmds.herd} label="herd verify commands" testId={`verify-herd-${a.format}`} />
      <Title headingLevel="h4" size="md" className="herd-section">Verify with gpg and sha256sum</Title>
      <Content component="p" className="herd-muted">Compare the key's fingerprint that gpgv prints with the one your organisation trusts, obtained out of band.</Content>
      <CopyableCode text={cmds.plain} label="gpg verification commands" testId={`verify-plain-${a.format}`} />
    </section>
  );
}
