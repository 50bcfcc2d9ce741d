import {
  Alert, Breadcrumb, BreadcrumbItem, Content, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm,
  ExpandableSection, Label, PageSection, Title,
} from '@patternfly/react-core';
import { Link, useParams } from 'react-router';
import { ApiError, apiGet } from '../api/client.ts';
import { LoadError, Loading } from '../components/LoadState.tsx';
import { PackageChanges, PackageTable } from '../components/PackageChanges.tsx';
import { ReleaseChangelogView } from '../components/ReleaseChangelogView.tsx';
import { ReleaseLabels, ReleaseWarnings } from '../components/ReleaseStatus.tsx';
import '../components/download.css';
import type { CatalogImage, ReleaseDetail, ReleaseSummary } from '../lib/api-types.ts';
import { formatDate } from '../lib/format.ts';
import { readQaRecord } from '../lib/qa-record.ts';
import { useApi } from '../lib/use-api.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

/** Release notes of one release (by version): status, package changes against the previous release, QA. */
export function ReleaseNotesPage() {
  // the release by id: a version's dots would make the path look like a file to the server
  const { id = '', release: wanted = '' } = useParams();
  const catalog = useApi((signal) => apiGet('/api/catalog', { signal }), []);
  const image = catalog.data?.images.find((i) => i.id === id);
  const list = useApi((signal) => (image ? apiGet('/api/releases', { query: { product: image.product, state: 'published' }, signal }) : Promise.resolve(undefined)), [image?.product]);
  const error = catalog.error ?? list.error;
  if (error) return <PageSection><LoadError what="the release" error={error} /></PageSection>;
  if (!catalog.data || (image && !list.data)) return <PageSection><Loading what="the release" /></PageSection>;
  if (!image) return <NotFoundPage what={`image "${id}" in the catalogue`} />;
  const releases = list.data!.releases;
  const at = releases.findIndex((r) => r.id === wanted || r.version === wanted);
  if (at < 0) return <NotFoundPage what={`published release "${wanted}" of ${image.title}`} />;
  return <Notes key={releases[at]!.id} image={image} release={releases[at]!} previous={releases[at + 1]} />;
}

function Notes({ image, release, previous }: { image: CatalogImage; release: ReleaseSummary; previous?: ReleaseSummary }) {
  const detail = useApi((signal) => apiGet('/api/releases/{id}', { params: { id: release.id }, signal }), [release.id]);
  // the changelog stored at publication (entries, CVE ids); releases published before it was kept have none
  const changelog = useApi((signal) => apiGet('/api/releases/{id}/changelog', { params: { id: release.id }, signal })
    .catch((e: unknown) => { if (e instanceof ApiError && e.code === 'release.no_changelog') return null; throw e; }), [release.id]);
  const stored = changelog.data?.summary.against ? changelog.data : undefined;
  const wantDiff = Boolean(previous) && changelog.data !== undefined && !stored;
  const diff = useApi((signal) => (wantDiff ? apiGet('/api/releases/{id}/diff', { params: { id: release.id }, query: { from: previous!.id }, signal }) : Promise.resolve(undefined)), [release.id, previous?.id, wantDiff]);
  const imagePath = `/images/${encodeURIComponent(image.id)}`;
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem render={() => <Link to="/">Images</Link>} />
          <BreadcrumbItem render={() => <Link to={imagePath}>{image.title}</Link>} />
          <BreadcrumbItem isActive>Release {release.version}</BreadcrumbItem>
        </Breadcrumb>
        <Title headingLevel="h1">{image.title} {release.version}: release notes</Title>
        <Content component="p"><ReleaseLabels r={release} /> Published {formatDate(release.publishedAt, true)}. <Link to={`${imagePath}?channel=${release.channel}&release=${encodeURIComponent(release.version)}`}>Downloads of this release</Link></Content>
        <ReleaseWarnings r={release} />
      </PageSection>
      <PageSection aria-labelledby="changes-heading">
        <Title headingLevel="h2" id="changes-heading">Package changes</Title>
        {changelog.error ? <LoadError what="the package changes" error={changelog.error} />
          : changelog.data === undefined ? <Loading what="the package changes" />
          : stored ? <ReleaseChangelogView changelog={stored} />
          : !previous ? <FirstRelease detail={detail.data} />
          : diff.error ? <LoadError what="the package changes" error={diff.error} />
          : !diff.data ? <Loading what="the package changes" />
          : <PackageChanges diff={diff.data} />}
      </PageSection>
      <PageSection aria-labelledby="qa-heading">
        <Title headingLevel="h2" id="qa-heading">Quality assurance</Title>
        {detail.error ? <LoadError what="the QA record" error={detail.error} /> : !detail.data ? <Loading what="the QA record" /> : <QaResults release={detail.data} suites={image.qaSuites} />}
      </PageSection>
    </>
  );
}

function FirstRelease({ detail }: { detail?: ReleaseDetail }) {
  if (!detail) return <Loading what="the packages" />;
  return (
    <>
      <p>The first published release of this image: {detail.packages.length} packages.</p>
      <ExpandableSection toggleText={`Show all ${detail.packages.length} packages`}>
        <PackageTable id="pk-all" title="Packages" testId="packages-all" rows={detail.packages} />
      </ExpandableSection>
    </>
  );
}

function QaResults({ release, suites }: { release: ReleaseDetail; suites: string[] }) {
  const qa = readQaRecord(release.qa);
  if (!qa) {
    return <Alert variant="warning" isInline isPlain title="No QA record: this release was published untested." data-testid="qa-none" />;
  }
  return (
    <div data-testid="qa-results">
      <DescriptionList isCompact isHorizontal>
        <DescriptionListGroup><DescriptionListTerm>Verdict</DescriptionListTerm><DescriptionListDescription>
          {qa.passed ? <Label color="green" data-testid="qa-verdict">passed</Label> : <Label color="red" data-testid="qa-verdict">failed</Label>}
        </DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Checks</DescriptionListTerm><DescriptionListDescription>{qa.scope === 'static' ? 'static audit only' : qa.scope === 'boot' ? 'boot tests' : 'static audit and boot tests'}; suites: {suites.join(', ') || 'none'}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Tested</DescriptionListTerm><DescriptionListDescription>{formatDate(qa.testedAt, true)}{qa.testedFile && <> on {qa.testedFile}</>}</DescriptionListDescription></DescriptionListGroup>
        {qa.failed.length > 0 && (
          <DescriptionListGroup><DescriptionListTerm>Failed checks</DescriptionListTerm><DescriptionListDescription data-testid="qa-failed">{qa.failed.join(', ')}</DescriptionListDescription></DescriptionListGroup>
        )}
      </DescriptionList>
    </div>
  );
}
