import { Card, CardBody, CardHeader, CardTitle, Content, Gallery, PageSection, Title } from '@patternfly/react-core';
import { useContext, useState } from 'react';
import { Link } from 'react-router';
import { ImageList } from '../components/ImageList.tsx';
import { LoadError, Loading } from '../components/LoadState.tsx';
import '../components/download.css';
import { useApi } from '../lib/use-api.ts';
import { InitialHomeData, loadHomeData, takeEarlyHomeData } from './home-data.ts';

/** The start page: one card per use case of the catalogue, each with its images and their latest release. */
export function HomePage() {
  // server-rendered: the answers it rendered from (the first render must match its HTML); else the early request's
  const initial = useContext(InitialHomeData);
  const [early] = useState(() => (initial ? undefined : takeEarlyHomeData()));
  const { data, error } = useApi((signal) => early?.request ?? loadHomeData(signal), [], initial ?? early?.data);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Cloud images by use case</Title>
        <Content component="p">Fresh, small Debian images, tested before they are published and signed. Pick what you want to run; each image comes for OpenStack/KVM, the public clouds, VMware or as a container.</Content>
      </PageSection>
      <PageSection aria-label="Use cases">
        {error ? <LoadError what="the catalogue" error={error} /> : !data ? <Loading what="the catalogue" /> : (
          <Gallery hasGutter className="herd-use-case-gallery">
            {data[0].useCases.map((u) => (
              <Card key={u.id} isFullHeight data-testid={`use-case-${u.id}`} component="section" aria-labelledby={`uc-${u.id}`}>
                <CardHeader>
                  <CardTitle><Title headingLevel="h2" size="lg" id={`uc-${u.id}`}><Link to={`/use-cases/${encodeURIComponent(u.id)}`}>{u.title}</Link></Title></CardTitle>
                </CardHeader>
                <CardBody>
                  <Content component="p" className="herd-muted">{u.summary}</Content>
                  <ImageList images={data[1].images.filter((i) => u.images.includes(i.id))} limit={6} more={{ to: `/use-cases/${encodeURIComponent(u.id)}`, label: `All {n} ${u.title.toLowerCase()} images` }} />
                </CardBody>
              </Card>
            ))}
          </Gallery>
        )}
      </PageSection>
    </>
  );
}
