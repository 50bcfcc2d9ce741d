import { Link } from 'react-router';
import type { ReleaseSummary } from '../lib/api-types.ts';
import { formatDate } from '../lib/format.ts';
import { DataTable } from './DataTable.tsx';
import { ReleaseLabels } from './ReleaseStatus.tsx';

/** Every published release of an image, newest first, with its notes and its downloads. */
export function ReleaseList({ imageId, releases, current }: { imageId: string; releases: ReleaseSummary[]; current?: string }) {
  if (releases.length === 0) return <p>No release has been published yet.</p>;
  const base = `/images/${encodeURIComponent(imageId)}`;
  return (
    <div data-testid="release-list">
      <DataTable caption="Published releases, newest first" rows={releases} rowKey={(r) => r.id} columns={[
        { title: 'Version', cell: (r) => <>{r.version}{r.id === current && <span className="herd-muted"> (shown above)</span>}</> },
        { title: 'Status', cell: (r) => <ReleaseLabels r={r} /> },
        { title: 'Published', cell: (r) => formatDate(r.publishedAt) },
        { title: 'Release notes', cell: (r) => <Link to={`${base}/notes/${r.id}`} data-testid={`notes-link-${r.version}`}>Notes for {r.version}</Link> },
        { title: 'Downloads', cell: (r) => <Link to={`${base}?channel=${r.channel}&release=${encodeURIComponent(r.version)}`}>Files of {r.version}</Link> },
      ]} />
    </div>
  );
}
