import { Card, CardBody, CardFooter, CardHeader, CardTitle, Label, LabelGroup } from '@patternfly/react-core';
import { Link } from 'react-router';
import { formatBytes, formatDate } from '../lib/format.ts';
import { checkText, sizeText } from './check-text.ts';
import { CheckLabel, personOf, StateLabel } from './labels.tsx';
import type { CommunityItem, LibraryItem, OfficialItem } from './library-types.ts';

/** One recipe of the library: who wrote it, what it extends, its size and its last build or check. */
export function LibraryCard({ item }: { item: LibraryItem }) {
  return item.tier === 'official' ? <OfficialCard item={item} /> : <CommunityCard item={item} />;
}

function Meta({ rows }: { rows: [string, React.ReactNode][] }) {
  return (
    <dl className="herd-library-meta">
      {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
    </dl>
  );
}

function OfficialCard({ item }: { item: OfficialItem }) {
  const l = item.latest;
  return (
    <Card isCompact data-testid="library-card" data-tier="official" data-id={item.id}>
      <CardHeader><CardTitle component="h2"><Link to={`/images/${encodeURIComponent(item.id)}`}>{item.title}</Link></CardTitle></CardHeader>
      <CardBody>
        <p>{clip(item.summary, 240)}</p>
        <Meta rows={[
          ['Author', 'Herd (official)'],
          ['Extends', item.extends ?? '–'],
          ['Size', l?.qcow2Bytes !== undefined ? `${formatBytes(l.qcow2Bytes)} (qcow2)` : '–'],
          ['Last release', l ? `${l.version} on ${l.channel}, ${formatDate(l.publishedAt)}` : 'not released yet'],
        ]} />
      </CardBody>
      <CardFooter><LabelGroup><Label color="blue" isCompact>Official</Label>{l && <Label color="green" isCompact variant="outline">Build and QA passed</Label>}</LabelGroup></CardFooter>
    </Card>
  );
}

function CommunityCard({ item }: { item: CommunityItem }) {
  return (
    <Card isCompact data-testid="library-card" data-tier="community" data-id={item.id} data-slug={item.slug}>
      <CardHeader><CardTitle component="h2"><Link to={`/library/${item.id}`} data-testid="library-card-link">{item.title}</Link></CardTitle></CardHeader>
      <CardBody>
        {item.description && <p className="herd-prewrap">{clip(item.description, 240)}</p>}
        <Meta rows={[
          ['Author', personOf(item.author)],
          ['Extends', item.extends ?? '–'],
          ['Size', sizeText(item.size)],
          ['Last check', <>revision {item.revision}: {checkText(item.lastCheck.state, item.lastCheck.detail)}</>],
        ]} />
      </CardBody>
      <CardFooter><LabelGroup><Label color="grey" isCompact>Community</Label><StateLabel state={item.state} /><CheckLabel state={item.lastCheck.state} /></LabelGroup></CardFooter>
    </Card>
  );
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
