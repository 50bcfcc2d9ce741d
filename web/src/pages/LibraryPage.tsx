import {
  Button, Content, EmptyState, EmptyStateBody, Gallery, PageSection, SearchInput, Title, ToggleGroup, ToggleGroupItem, Toolbar, ToolbarContent, ToolbarItem,
} from '@patternfly/react-core';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import { LoadError, Loading } from '../components/LoadState.tsx';
import { useApi } from '../lib/use-api.ts';
import { LibraryCard } from '../library/LibraryCard.tsx';
import { type Tier, TIERS } from '../library/library-types.ts';
import { useSession } from '../session.tsx';
import '../library/library.css';

const TIER_LABEL: Record<Tier, string> = { official: 'Official', community: 'Community' };

/** The search box's text reaches the URL (and the API) once typing pauses. */
function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function LibraryPage() {
  const { account } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const tierParam = params.get('tier');
  const tier = TIERS.find((t) => t === tierParam);
  const shown = tier ? [tier] : TIERS;
  const [typed, setTyped] = useState(q);
  const debounced = useDebounced(typed, 300);

  // back/forward or a link changed the query: show it (typing never lands here, it is what set q)
  useEffect(() => { if (q !== debounced) setTyped(q); }, [q]);
  useEffect(() => {
    if (debounced === q) return;
    setParams((p) => { const n = new URLSearchParams(p); if (debounced) n.set('q', debounced); else n.delete('q'); return n; }, { replace: true });
  }, [debounced]);

  const toggle = (t: Tier) => {
    const next = shown.includes(t) ? shown.filter((x) => x !== t) : [...shown, t];
    if (!next.length) return; // one tier at least: an empty library is never what a reader asked for
    setParams((p) => { const n = new URLSearchParams(p); if (next.length === 1) n.set('tier', next[0]!); else n.delete('tier'); return n; });
  };

  const { data, error, loading } = useApi((signal) => apiGet('/api/library', { query: { q: q || undefined, tier }, signal }), [q, tier]);

  return (
    <PageSection>
      <Title headingLevel="h1">Template library</Title>
      <Content component="p">
        Recipes to build images from: the official ones Herd publishes, and community templates, each built, boot-tested and
        reviewed by someone other than its author before anyone can build it here.
      </Content>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput aria-label="Search the library" placeholder="Search title, description, author" value={typed}
              onChange={(_e, v) => setTyped(v)} onClear={() => setTyped('')} data-testid="library-search" />
          </ToolbarItem>
          <ToolbarItem>
            <ToggleGroup aria-label="Tiers">
              {TIERS.map((t) => (
                <ToggleGroupItem key={t} text={TIER_LABEL[t]} buttonId={`tier-${t}`} isSelected={shown.includes(t)} onChange={() => toggle(t)} data-testid={`tier-${t}`} />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          <ToolbarItem align={{ default: 'alignEnd' }}>
            {account
              ? <Link to="/library/submit" data-testid="submit-template-link">Submit a template</Link>
              : <Link to="/sign-in?next=%2Flibrary%2Fsubmit">Sign in to submit a template</Link>}
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <div aria-live="polite" aria-busy={loading}>
        {error ? <LoadError what="the library" error={error} /> : !data ? <Loading what="the library" /> : data.items.length === 0 ? (
          <EmptyState titleText="Nothing matches" headingLevel="h2" data-testid="library-empty">
            <EmptyStateBody>No {shown.map((t) => TIER_LABEL[t].toLowerCase()).join(' or ')} recipe matches {q ? `“${q}”` : 'yet'}.</EmptyStateBody>
            {q && <Button variant="link" onClick={() => setTyped('')}>Clear the search</Button>}
          </EmptyState>
        ) : (
          <>
            <p className="pf-v6-screen-reader" data-testid="library-count">{data.items.length} recipes</p>
            <Gallery hasGutter minWidths={{ default: '100%', md: '20rem' }} data-testid="library-results">
              {data.items.map((item) => <LibraryCard key={`${item.tier}:${item.id}`} item={item} />)}
            </Gallery>
          </>
        )}
      </div>
    </PageSection>
  );
}
