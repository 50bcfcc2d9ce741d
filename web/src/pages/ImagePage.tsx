import {
  Breadcrumb, BreadcrumbItem, Content, Label, PageSection, Tab, Tabs, TabTitleText, Title, ToggleGroup, ToggleGroupItem,
} from '@patternfly/react-core';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import { DownloadPanel } from '../components/DownloadPanel.tsx';
import { HistoryCharts } from '../components/HistoryCharts.tsx';
import { LoadError, Loading } from '../components/LoadState.tsx';
import { ReleaseList } from '../components/ReleaseList.tsx';
import { ReleaseLabels, ReleaseWarnings } from '../components/ReleaseStatus.tsx';
import { SizeCharts } from '../components/SizeCharts.tsx';
import '../components/download.css';
import type { CatalogImage, ReleaseDetail, ReleaseSummary } from '../lib/api-types.ts';
import { formatDate } from '../lib/format.ts';
import { tabsFor } from '../lib/platform-tabs.ts';
import { chooseRelease, defaultChannel, orderArches } from '../lib/release-choice.ts';
import { useApi } from '../lib/use-api.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const CHANNELS = ['stable', 'testing'];

/** One catalogue image: its downloads per platform, channel and architecture, its charts and its releases. */
export function ImagePage() {
  const { id = '' } = useParams();
  const catalog = useApi((signal) => apiGet('/api/catalog', { signal }), []);
  const image = catalog.data?.images.find((i) => i.id === id);
  const releases = useApi((signal) => (image ? apiGet('/api/releases', { query: { product: image.product, state: 'published' }, signal }) : Promise.resolve(undefined)), [image?.product]);
  if (catalog.error) return <PageSection><LoadError what="the catalogue" error={catalog.error} /></PageSection>;
  if (!catalog.data) return <PageSection><Loading what="the image" /></PageSection>;
  if (!image) return <NotFoundPage what={`image "${id}" in the catalogue`} />;
  return (
    <>
      <PageSection>
        <Breadcrumb><BreadcrumbItem render={() => <Link to="/">Images</Link>} /><BreadcrumbItem isActive>{image.title}</BreadcrumbItem></Breadcrumb>
        <Title headingLevel="h1" data-testid="image-title">{image.title}</Title>
        <Content component="p">{image.summary}</Content>
        <Content component="p" className="herd-muted">
          {image.distribution.name} {image.distribution.release}
          {image.stack && <> · {image.stack.language} {image.stack.version}{image.stack.frameworks.length > 0 && ` (${image.stack.frameworks.join(', ')})`}</>}
          {' '}· QA suites: {image.qaSuites.join(', ') || 'none'}
        </Content>
        {image.notes && <Content component="p">{image.notes}</Content>}
      </PageSection>
      {releases.error ? <PageSection><LoadError what="the releases" error={releases.error} /></PageSection>
        : !releases.data ? <PageSection><Loading what="the releases" /></PageSection>
        : <Downloads image={image} releases={releases.data.releases} />}
    </>
  );
}

function Downloads({ image, releases }: { image: CatalogImage; releases: ReleaseSummary[] }) {
  const [params, setParams] = useSearchParams();
  const channel = params.get('channel') ?? defaultChannel(releases);
  const release = chooseRelease(releases, channel, params.get('release'));
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) { if (v === undefined) next.delete(k); else next.set(k, v); }
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageSection aria-labelledby="downloads-heading">
        <Title headingLevel="h2" id="downloads-heading">Downloads</Title>
        <div className="herd-toolbar">
          <ToggleGroup aria-label="Channel">
            {CHANNELS.map((c) => (
              <ToggleGroupItem key={c} text={`${c} (${releases.filter((r) => r.channel === c).length})`} buttonId={`channel-${c}`} isSelected={channel === c}
                onChange={() => set({ channel: c, release: undefined })} data-testid={`channel-${c}`} />
            ))}
          </ToggleGroup>
        </div>
        {release ? <ReleaseDownloads key={release.id} image={image} release={release} arch={params.get('arch')} onArch={(a) => set({ arch: a })} />
          : <Content component="p" data-testid="no-release">No release of {image.title} has been published to {channel} yet.</Content>}
      </PageSection>
      <PageSection aria-labelledby="charts-heading">
        <Title headingLevel="h2" id="charts-heading">Size and boot time</Title>
        {release && <SizeCharts releaseId={release.id} version={release.version} />}
        <Title headingLevel="h3" size="md" className="herd-section">Across releases</Title>
        <HistoryCharts product={image.product} />
      </PageSection>
      <PageSection aria-labelledby="releases-heading">
        <Title headingLevel="h2" id="releases-heading">Releases</Title>
        <ReleaseList imageId={image.id} releases={releases} current={release?.id} />
      </PageSection>
    </>
  );
}

function ReleaseDownloads({ image, release, arch, onArch }: { image: CatalogImage; release: ReleaseSummary; arch: string | null; onArch(a: string): void }) {
  const { data, error } = useApi((signal) => apiGet('/api/releases/{id}', { params: { id: release.id }, signal }), [release.id]);
  const [tab, setTab] = useState<string | number>(0);
  if (error) return <LoadError what={`release ${release.version}`} error={error} />;
  if (!data) return <Loading what={`release ${release.version}`} />;
  const arches = orderArches([...data.artifacts.map((a) => a.arch), ...data.cloudImages.map((c) => c.arch)]);
  const chosen = arch && arches.includes(arch) ? arch : arches[0] ?? '';
  return (
    <>
      <Content component="p" data-testid="shown-release">
        Release <strong>{release.version}</strong> <ReleaseLabels r={release} /> published {formatDate(release.publishedAt)}
        {' '}· <Link to={`/images/${encodeURIComponent(image.id)}/notes/${release.id}`}>release notes</Link>
      </Content>
      <ReleaseWarnings r={release} />
      {arches.length > 1 ? (
        <div className="herd-toolbar">
          <ToggleGroup aria-label="Architecture">
            {arches.map((a) => <ToggleGroupItem key={a} text={a} buttonId={`arch-${a}`} isSelected={a === chosen} onChange={() => onArch(a)} />)}
          </ToggleGroup>
        </div>
      ) : chosen && <Content component="p">Architecture: <Label isCompact data-testid="arch">{chosen}</Label></Content>}
      <PlatformTabs image={image} release={data} arch={chosen} tab={tab} onTab={setTab} />
    </>
  );
}

function PlatformTabs({ image, release, arch, tab, onTab }: { image: CatalogImage; release: ReleaseDetail; arch: string; tab: string | number; onTab(t: string | number): void }) {
  const artifacts = release.artifacts.filter((a) => a.arch === arch);
  const clouds = release.cloudImages.filter((c) => c.arch === arch);
  const tabs = tabsFor(image.platforms, artifacts.map((a) => a.format), clouds.map((c) => c.platform));
  const active = typeof tab === 'number' || !tabs.some((t) => t.id === tab) ? tabs[0]?.id : tab;
  return (
    <Tabs activeKey={active} onSelect={(_e, k) => onTab(k)} aria-label="Platforms" role="region" data-testid="platform-tabs">
      {tabs.map((t) => (
        <Tab key={t.id} eventKey={t.id} title={<TabTitleText>{t.title}</TabTitleText>} data-testid={`tab-${t.id}`}>
          <div className="herd-section">
            <DownloadPanel tab={t} artifacts={artifacts} cloudImages={clouds} channel={release.channel} version={release.version} />
          </div>
        </Tab>
      ))}
    </Tabs>
  );
}
