import { Content, Title } from '@patternfly/react-core';
import { Link } from 'react-router';
import type { Catalog, UseCases } from '../lib/api-types.ts';
import { type SchemaField } from '../lib/schema-reference.ts';
import { shellWord } from '../lib/verify-commands.ts';
import { CopyableCode } from './CopyableCode.tsx';
import { DataTable } from './DataTable.tsx';
import { ImageList } from './ImageList.tsx';

const origin = () => window.location.origin;

/** A persona's quick start: the images made for them, then download, verify, launch. */
export function QuickStart({ persona, data }: { persona: UseCases['personas'][number]; data: Catalog }) {
  const images = data.images.filter((i) => i.personas.includes(persona.id));
  return (
    <>
      <Title headingLevel="h1">Quick start: {persona.title}</Title>
      <Title headingLevel="h2" size="lg" className="herd-section">1. Pick an image</Title>
      <ImageList images={images} />
      <Title headingLevel="h2" size="lg" className="herd-section">2. Download and verify it</Title>
      <Content component="p">Each image page lists its files per platform with their size, sha256 and signature, and the commands that check them. <Link to="/docs/verify">How verification works</Link>.</Content>
      <Title headingLevel="h2" size="lg" className="herd-section">3. Write its user-data</Title>
      <Content component="p">The <Link to="/user-data">user-data helper</Link> writes a #cloud-config with your user, SSH key, packages and first-boot commands.</Content>
      <Title headingLevel="h2" size="lg" className="herd-section">4. Launch it</Title>
      <Content component="p">On QEMU with a NoCloud seed, on OpenStack or on EC2: <Link to="/docs/launch">launch instructions</Link>.</Content>
    </>
  );
}

export function VerifyDoc() {
  const o = origin();
  return (
    <>
      <Title headingLevel="h1">How to verify an image</Title>
      <Content>
        <p>Every release is signed with the publisher's OpenPGP key, and each channel has a signed feed (<code>/feeds/stable.json</code>, <code>/feeds/testing.json</code>) that lists every current file with its sha256. Verification checks three things: the key is the publisher's, the feed (or the file's own signature) is signed by it, and the file's sha256 is the one signed.</p>
        <p>Get the public keys from <a href="/keys/keyring.asc">/keys/keyring.asc</a> and compare the fingerprint with the one your organisation obtained out of band: a key downloaded beside the image proves nothing on its own.</p>
      </Content>
      <Title headingLevel="h2" size="lg" className="herd-section">With herd</Title>
      <Content component="p"><code>herd verify</code> checks the feed's signature and expiry, refuses an older feed than the last one it saw (rollback) and a feed of another channel, then finds the file's sha256 in it.</Content>
      <CopyableCode label="herd verify example" text={`curl -fLO ${shellWord(`${o}/keys/keyring.asc`)} && \\\n  herd verify --keyring keyring.asc ${shellWord(`${o}/feeds/stable.json`)} disk.qcow2`} />
      <Title headingLevel="h2" size="lg" className="herd-section">With gpgv and sha256sum</Title>
      <CopyableCode label="gpgv example" text={`curl -fLO ${shellWord(`${o}/keys/keyring.asc`)} && \\\n  gpg --dearmor --yes keyring.asc && \\\n  gpgv --keyring ./keyring.asc.gpg disk.qcow2.asc disk.qcow2 && \\\n  echo "SHA256-FROM-THE-IMAGE-PAGE  disk.qcow2" | sha256sum -c`} />
      <Content component="p">Each image page prints these commands filled in for every file.</Content>
    </>
  );
}

export function LaunchDoc() {
  return (
    <>
      <Title headingLevel="h1">How to launch an image</Title>
      <Content component="p">Write a user-data first (the <Link to="/user-data">helper</Link> does it); the images have no password log-in, so the SSH key in it is how you get in.</Content>
      <Title headingLevel="h2" size="lg" className="herd-section">QEMU with a NoCloud seed</Title>
      <Content component="p">A NoCloud seed is a small disk labelled <code>cidata</code> holding user-data and meta-data; <code>cloud-localds</code> (Debian package cloud-image-utils) makes one.</Content>
      <CopyableCode label="QEMU commands" text={'printf "instance-id: vm1\\nlocal-hostname: vm1\\n" > meta-data\ncloud-localds seed.img user-data meta-data\nqemu-system-x86_64 -machine q35,accel=kvm:tcg -m 2048 -smp 2 -nographic \\\n  -drive file=disk.qcow2,if=virtio,format=qcow2 \\\n  -drive file=seed.img,if=virtio,format=raw \\\n  -nic user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:2222-:22\nssh -p 2222 YOUR-USER@127.0.0.1'} />
      <Content component="p"><code>herd run disk.qcow2</code> does the same with your SSH key in one command.</Content>
      <Title headingLevel="h2" size="lg" className="herd-section">OpenStack</Title>
      <CopyableCode label="OpenStack commands" text={'openstack image create --disk-format qcow2 --container-format bare --file disk.qcow2 herd-image\nopenstack server create --image herd-image --flavor m1.small --network NETWORK \\\n  --user-data user-data vm1'} />
      <Title headingLevel="h2" size="lg" className="herd-section">Amazon EC2</Title>
      <Content component="p">The image page's Amazon EC2 tab lists the AMI of each region with a console launch link. From the AWS CLI:</Content>
      <CopyableCode label="EC2 commands" text={'aws ec2 run-instances --region REGION --image-id AMI-ID --instance-type t3.micro \\\n  --key-name KEY --user-data file://user-data'} />
    </>
  );
}

export function RespinDoc() {
  return (
    <>
      <Title headingLevel="h1">How to respin an image</Title>
      <Content>
        <p>A respin rebuilds a catalogue image from its recipe with today's packages, tests it and publishes it as a new release in the testing channel; promoting it to stable is a separate, deliberate step. Releases are immutable: a respin never changes a published one.</p>
      </Content>
      <Title headingLevel="h2" size="lg" className="herd-section">On your machine</Title>
      <CopyableCode label="respin commands" text={'herd build recipes/base.yaml --test --out out/base\nherd publish out/base --channel testing\nherd releases promote RELEASE-ID --to stable'} />
      <Title headingLevel="h2" size="lg" className="herd-section">Through the release service</Title>
      <Content component="p">With a contributor token, <code>POST /api/products/PRODUCT/builds</code> queues a build of the product's catalogue recipe that the service's worker builds, tests and publishes; <Link to="/builds">Builds</Link> shows its progress. A release that turns out bad is revoked with a reason, which every feed and its release notes then show.</Content>
    </>
  );
}

export function RecipeReference({ fields, schemaTitle, schemaDescription }: { fields: SchemaField[]; schemaTitle: string; schemaDescription?: string }) {
  return (
    <>
      <Title headingLevel="h1">Recipe reference</Title>
      <Content component="p">{schemaTitle}{schemaDescription ? `: ${schemaDescription}` : ''} Generated from the JSON Schema <code>herd lint</code> validates with (<a href="/api/recipe-schema">/api/recipe-schema</a>, also <code>herd schema</code>).</Content>
      <div className="herd-section" data-testid="recipe-reference">
        <DataTable caption="Recipe fields" rows={fields} rowKey={(f) => f.path} columns={[
          { title: 'Field', cell: (f) => <code id={`field-${f.path}`}>{f.path}</code> },
          { title: 'Type', cell: (f) => <>{f.type}{f.required && <strong> (required)</strong>}</> },
          { title: 'Description', cell: (f) => <>{f.description ?? ''}{f.allowed && <div className="herd-muted">Allowed: <code className="herd-mono">{f.allowed}</code></div>}{f.default && <div className="herd-muted">Default: <code className="herd-mono">{f.default}</code></div>}</> },
        ]} />
      </div>
    </>
  );
}
