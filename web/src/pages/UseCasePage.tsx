import { Breadcrumb, BreadcrumbItem, Card, CardBody, CardTitle, Content, Gallery, PageSection, Title } from '@patternfly/react-core';
import { Link, useParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import { ImageSummaryLine } from '../components/ImageList.tsx';
import { LoadError, Loading } from '../components/LoadState.tsx';
import '../components/download.css';
import { useApi } from '../lib/use-api.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

/** The images of one use case, each with its summary and latest release. */
export function UseCasePage() {
  const { id = '' } = useParams();
  const { data, error } = useApi((signal) => Promise.all([apiGet('/api/catalog/use-cases', { signal }), apiGet('/api/catalog', { signal })]), []);
  if (error) return <PageSection><LoadError what="the catalogue" error={error} /></PageSection>;
  if (!data) return <PageSection><Loading what="the catalogue" /></PageSection>;
  const useCase = data[0].useCases.find((u) => u.id === id);
  if (!useCase) return <NotFoundPage what={`use case "${id}"`} />;
  const images = data[1].images.filter((i) => useCase.images.includes(i.id));
  return (
    <>
      <PageSection>
        <Breadcrumb><BreadcrumbItem render={() => <Link to="/">Images</Link>} /><BreadcrumbItem isActive>{useCase.title}</BreadcrumbItem></Breadcrumb>
        <Title headingLevel="h1">{useCase.title}</Title>
        <Content component="p">{useCase.summary}</Content>
      </PageSection>
      <PageSection aria-label={`${useCase.title} images`}>
        {images.length === 0 ? <p>No images in this use case yet.</p> : (
          <Gallery hasGutter minWidths={{ default: '100%', md: '360px' }}>
            {images.map((i) => (
              <Card key={i.id} isFullHeight data-testid={`image-card-${i.id}`}>
                <CardTitle><Title headingLevel="h2" size="lg"><ImageSummaryLine image={i} /></Title></CardTitle>
                <CardBody>
                  <Content component="p">{i.summary}</Content>
                  {i.stack && i.stack.frameworks.length > 0 && <Content component="p" className="herd-muted">Frameworks: {i.stack.frameworks.join(', ')}</Content>}
                  <Content component="p" className="herd-muted">{i.distribution.name} {i.distribution.release} · {i.platforms.length} platform{i.platforms.length === 1 ? '' : 's'}</Content>
                </CardBody>
              </Card>
            ))}
          </Gallery>
        )}
      </PageSection>
    </>
  );
}
