import { Label, LabelGroup } from '@patternfly/react-core';
import { Link } from 'react-router';
import type { CatalogImage } from '../lib/api-types.ts';
import { formatBytes } from '../lib/format.ts';

/** What a reader needs to pick an image from a list: its title, stack, latest version and channel. */
export function ImageSummaryLine({ image }: { image: CatalogImage }) {
  const l = image.latestRelease;
  return (
    <>
      <Link to={`/images/${encodeURIComponent(image.id)}`} data-testid={`image-link-${image.id}`}>{image.title}</Link>{' '}
      <LabelGroup numLabels={4} aria-label={`${image.title}: version and platforms`}>
        {image.stack && <Label isCompact color="purple">{image.stack.language} {image.stack.version}</Label>}
        {l ? <Label isCompact color={l.channel === 'stable' ? 'green' : 'orange'} data-testid={`latest-${image.id}`}>{l.version} · {l.channel}</Label>
          : <Label isCompact variant="outline">not released yet</Label>}
        {l?.untested && <Label isCompact color="red">untested</Label>}
        {l?.qcow2Bytes !== undefined && <Label isCompact variant="outline">qcow2 {formatBytes(l.qcow2Bytes)}</Label>}
      </LabelGroup>
    </>
  );
}

/** A list of images; with `limit`, the released ones first and a link to the rest, so cards stay comparable in height. */
export function ImageList({ images, limit, more }: { images: CatalogImage[]; limit?: number; more?: { to: string; label: string } }) {
  if (images.length === 0) return <p>No images in this use case yet.</p>;
  const ordered = limit ? [...images].sort((a, b) => Number(!a.latestRelease) - Number(!b.latestRelease)) : images;
  const shown = limit ? ordered.slice(0, limit) : ordered;
  return (
    <>
      <ul className="herd-image-list">
        {shown.map((i) => <li key={i.id}><ImageSummaryLine image={i} /></li>)}
      </ul>
      {more && shown.length < images.length && <Link to={more.to}>{more.label.replace('{n}', String(images.length))}</Link>}
    </>
  );
}
