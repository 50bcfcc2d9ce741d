import { Label, Title } from '@patternfly/react-core';
import { Link } from 'react-router';
import { apiGet, apiHref, type GetResult } from '../api/client.ts';
import { CopyableCode } from '../components/CopyableCode.tsx';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { Loading } from '../components/LoadState.tsx';
import { formatBytes } from '../lib/format.ts';
import { unlessNotFound, useApi } from '../lib/use-api.ts';
import { ApiFailure } from './job-view.tsx';
import { QaReport } from './QaReport.tsx';

type Build = GetResult<'/api/jobs/{id}/build'>;
type Output = Build['outputs'][number];
type Artifact = GetResult<'/api/releases/{id}'>['artifacts'][number];

/**
 * The build folder's image files, each downloadable from this server (GET /api/jobs/{id}/outputs/{file},
 * viewer role, the session cookie suffices), published or not. A file the release also holds (the same
 * sha256) links to that published copy as well.
 */
function outputColumns(jobId: string, published: Artifact[]): Column<Output>[] {
  const columns: Column<Output>[] = [
    { title: 'Download', cell: (o) => (
      <a href={apiHref('/api/jobs/{id}/outputs/{file}', { id: jobId, file: o.file })} download={o.file} data-testid={`output-link-${o.file}`}>{o.file}</a>
    ) },
    { title: 'Format', cell: (o) => `${o.format}${o.platform ? ` (${o.platform})` : ''}` },
    { title: 'Size', cell: (o) => formatBytes(o.size), numeric: true },
    { title: 'sha256', cell: (o) => <span className="herd-digest" data-testid={`output-sha256-${o.file}`}>{o.sha256}</span> },
  ];
  if (published.length === 0) return columns;
  const copyOf = (o: Output) => published.find((a) => a.sha256 === o.sha256);
  return [...columns, { title: 'Published copy', cell: (o) => {
    const a = copyOf(o);
    return a ? <a href={a.url} download data-testid={`output-published-${o.file}`}>{a.fileName}</a> : <span className="herd-muted">not in the release</span>;
  } }];
}

/** One line per file: what `sha256sum -c` reads, so a download is checked where it landed. */
const checkCommands = (outputs: Output[]) => outputs.map((o) => `echo '${o.sha256}  ${o.file}' | sha256sum -c`).join('\n');
const artifactColumns: Column<Artifact>[] = [
  { title: 'Download', cell: (a) => <a href={a.url} download data-testid={`artifact-link-${a.fileName}`}>{a.fileName}</a> },
  { title: 'Format', cell: (a) => `${a.format} (${a.arch})` },
  { title: 'Size', cell: (a) => formatBytes(a.size), numeric: true },
  { title: 'Signature', cell: (a) => <a href={a.signatureUrl} download>{a.fileName}.asc</a> },
];

/**
 * What a finished build left: the release it became (with its downloads), the image files in its output
 * folder, and the QA report with the serial logs. Each part says plainly when this server does not have it.
 */
export function BuildOutputs({ jobId }: { jobId: string }) {
  const { data, error, loading } = useApi(async (signal) => {
    const build = await apiGet('/api/jobs/{id}/build', { params: { id: jobId }, signal });
    const [qa, release] = await Promise.all([
      build.hasQaReport ? unlessNotFound(apiGet('/api/jobs/{id}/qa', { params: { id: jobId }, signal })) : undefined,
      build.release ? unlessNotFound(apiGet('/api/releases/{id}', { params: { id: build.release.id }, signal })) : undefined,
    ]);
    return { build, qa, release };
  }, [jobId]);
  if (error) return <ApiFailure what="the build's outputs" error={error} testId="build-outputs-error" />;
  if (loading || !data) return <Loading what="the build's outputs" />;
  const { build, qa, release } = data;
  return (
    <>
      {build.release && (
        <section className="herd-section-gap" aria-labelledby="release-title" data-testid="build-release">
          <Title headingLevel="h2" id="release-title">Release</Title>
          <p>
            Published as{' '}
            <Link to={`/images/${encodeURIComponent(build.release.productId)}`} data-testid="release-link">
              {build.release.productId} {build.release.version}
            </Link>{' '}
            on the {build.release.channel} channel{' '}
            {build.release.revoked && <Label color="red" isCompact data-testid="release-revoked">Revoked</Label>}
            {' '}(<Link to={`/images/${encodeURIComponent(build.release.productId)}/notes/${build.release.id}`} data-testid="release-notes-link">release notes</Link>).
          </p>
          {release && release.artifacts.length > 0 && (
            <DataTable caption="Downloads of this release" columns={artifactColumns} rows={release.artifacts} rowKey={(a) => a.id} testId="release-artifacts" />
          )}
        </section>
      )}
      <section className="herd-section-gap" aria-labelledby="outputs-title" data-testid="build-outputs">
        <Title headingLevel="h2" id="outputs-title">Image files</Title>
        {build.present ? (
          <>
            <p>{build.name}{build.version ? ` ${build.version}` : ''} for {build.architecture}, in the build's output folder on this server.</p>
            <DataTable caption="Files the build wrote" columns={outputColumns(jobId, release?.artifacts ?? [])} rows={build.outputs} rowKey={(o) => o.file} testId="build-output-files" />
            {build.outputs.length > 0 && (
              <>
                <p className="herd-section-gap">To check a file after downloading it, run its line in the folder it was saved to (<code>sha256sum</code> answers <code>OK</code>):</p>
                <CopyableCode text={checkCommands(build.outputs)} label="check commands" testId="build-output-check" />
              </>
            )}
          </>
        ) : (
          <p className="herd-muted" data-testid="build-outputs-absent">
            This server holds no output folder for the build: it failed before writing one, or a worker on another machine ran it.
          </p>
        )}
      </section>
      {qa ? <QaReport report={qa} /> : (
        <p className="herd-muted herd-section-gap" data-testid="qa-report-absent">No QA report on this server for this build.</p>
      )}
    </>
  );
}
