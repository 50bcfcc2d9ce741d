import { Grid, GridItem, Nav, NavGroup, NavItem, PageSection } from '@patternfly/react-core';
import { NavLink, Route, Routes, useLocation, useParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import { LaunchDoc, QuickStart, RecipeReference, RespinDoc, VerifyDoc } from '../components/DocsContent.tsx';
import { LoadError, Loading } from '../components/LoadState.tsx';
import '../components/download.css';
import { schemaFields } from '../lib/schema-reference.ts';
import { useApi } from '../lib/use-api.ts';
import { NotFoundPage } from './NotFoundPage.tsx';

const GUIDES = [
  { to: '/docs/verify', label: 'Verify an image' },
  { to: '/docs/launch', label: 'Launch an image' },
  { to: '/docs/respin', label: 'Respin an image' },
  { to: '/docs/recipe-reference', label: 'Recipe reference' },
];

/** Documentation: a quick start per persona (from the catalogue), guides, and the recipe reference from the JSON Schema. */
export function DocsPage() {
  const { pathname } = useLocation();
  const data = useApi((signal) => Promise.all([apiGet('/api/catalog/use-cases', { signal }), apiGet('/api/catalog', { signal })]), []);
  const nav = (
    <Nav aria-label="Documentation">
      <NavGroup title="Quick start">
        {(data.data?.[0].personas ?? []).map((p) => (
          <NavItem key={p.id} isActive={pathname === `/docs/quick-start/${p.id}`}><NavLink to={`/docs/quick-start/${p.id}`}>{p.title}</NavLink></NavItem>
        ))}
      </NavGroup>
      <NavGroup title="Guides">
        {GUIDES.map((g) => <NavItem key={g.to} isActive={pathname === g.to}><NavLink to={g.to}>{g.label}</NavLink></NavItem>)}
      </NavGroup>
    </Nav>
  );
  return (
    <PageSection>
      <Grid hasGutter>
        <GridItem md={3}>{nav}</GridItem>
        <GridItem md={9}>
          <article data-testid="docs-article">
            {data.error ? <LoadError what="the catalogue" error={data.error} /> : !data.data ? <Loading what="the documentation" /> : (
              <Routes>
                <Route index element={<PersonaQuickStart data={data.data} />} />
                <Route path="quick-start/:persona" element={<PersonaQuickStart data={data.data} />} />
                <Route path="verify" element={<VerifyDoc />} />
                <Route path="launch" element={<LaunchDoc />} />
                <Route path="respin" element={<RespinDoc />} />
                <Route path="recipe-reference" element={<SchemaReference />} />
                <Route path="*" element={<NotFoundPage what="such documentation page" />} />
              </Routes>
            )}
          </article>
        </GridItem>
      </Grid>
    </PageSection>
  );
}

function PersonaQuickStart({ data }: { data: [Awaited<ReturnType<typeof apiGet<'/api/catalog/use-cases'>>>, Awaited<ReturnType<typeof apiGet<'/api/catalog'>>>] }) {
  const { persona: id } = useParams();
  const persona = id ? data[0].personas.find((p) => p.id === id) : data[0].personas[0];
  if (!persona) return <NotFoundPage what={`persona "${id}"`} />;
  return <QuickStart persona={persona} data={data[1]} />;
}

function SchemaReference() {
  const { data, error } = useApi((signal) => apiGet('/api/recipe-schema', { signal }), []);
  if (error) return <LoadError what="the recipe schema" error={error} />;
  if (!data) return <Loading what="the recipe schema" />;
  return <RecipeReference fields={schemaFields(data)} schemaTitle={String(data.title ?? 'Recipe')} schemaDescription={typeof data.description === 'string' ? data.description : undefined} />;
}
