import { Breadcrumb, BreadcrumbItem, Content, ExpandableSection, List, PageSection, Title } from '@patternfly/react-core';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import { LoadError, Loading } from '../components/LoadState.tsx';
import { formatDate } from '../lib/format.ts';
import { useApi } from '../lib/use-api.ts';
import { BuildAction } from '../library/BuildAction.tsx';
import { personOf, ShortDigest, StateLabel } from '../library/labels.tsx';
import type { TemplateDetail } from '../library/library-types.ts';
import { RecheckAction } from '../library/RecheckAction.tsx';
import { ReviewForm } from '../library/ReviewForm.tsx';
import { RevisionForm } from '../library/RevisionForm.tsx';
import { CheckSummary, RecipeText, ReviewItem, RevisionHistory } from '../library/RevisionView.tsx';
import { roleAtLeast } from '../library/roles.ts';
import { useSession } from '../session.tsx';
import '../library/library.css';

/** While the current revision's check is queued or running, the page asks again this often. */
const CHECK_POLL_MS = 5000;

export function TemplatePage() {
  const { id = '' } = useParams();
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  const { data, error } = useApi((signal) => apiGet('/api/library/{id}', { params: { id }, signal }), [id, reloads]);
  const checking = data && ['pending', 'running'].includes(currentOf(data)?.check.state ?? '');
  useEffect(() => {
    if (!checking) return;
    const t = setTimeout(reload, CHECK_POLL_MS);
    return () => clearTimeout(t);
  }, [checking, data]);

  return (
    <PageSection>
      <Breadcrumb><BreadcrumbItem><Link to="/library">Template library</Link></BreadcrumbItem><BreadcrumbItem isActive>{data?.title ?? 'Template'}</BreadcrumbItem></Breadcrumb>
      {error ? <LoadError what="the template" error={error} /> : !data ? <Loading what="the template" /> : <Template t={data} onChange={reload} />}
    </PageSection>
  );
}

function currentOf(t: TemplateDetail) {
  return t.revisions.find((r) => r.number === t.current.number);
}

function Template({ t, onChange }: { t: TemplateDetail; onChange(): void }) {
  const { account } = useSession();
  const [revising, setRevising] = useState(false);
  const current = currentOf(t);
  const isAuthor = !!account && account.name === personOf(t.author);
  const canReview = !!account && roleAtLeast(account.role, 'reviewer') && !isAuthor;
  const older = t.revisions.filter((r) => r.number !== t.current.number);
  // reviews bind to one revision: those of earlier ones (approvals among them dismissed) are kept for the record
  const ofCurrent = t.reviews.filter((r) => r.revision === t.current.number && !r.dismissedAt);
  const earlier = t.reviews.filter((r) => !ofCurrent.includes(r));

  return (
    <article data-testid="template" data-id={t.id} data-state={t.state}>
      <Title headingLevel="h1" data-testid="template-title">{t.title}</Title>
      <p className="herd-library-state"><StateLabel state={t.state} /></p>
      <dl className="herd-library-meta">
        <dt>Author</dt><dd data-testid="template-author">{personOf(t.author)}</dd>
        <dt>Extends</dt><dd>{t.extends ? <Link to={`/images/${encodeURIComponent(t.extends)}`}>{t.extends}</Link> : '–'}</dd>
        <dt>Short name</dt><dd><code>{t.slug}</code></dd>
        <dt>Updated</dt><dd>{formatDate(t.updatedAt, true)}</dd>
      </dl>
      {t.description && <Content component="p" className="herd-prewrap" data-testid="template-description">{t.description}</Content>}

      <section className="herd-library-section" aria-labelledby="build-h">
        <Title headingLevel="h2" id="build-h">Build</Title>
        <BuildAction template={t} role={account?.role} />
      </section>

      {current && (
        <section className="herd-library-section" aria-labelledby="current-h" data-testid="current-revision" data-number={current.number} data-digest={current.digest}>
          <Title headingLevel="h2" id="current-h">Revision {current.number} (current)</Title>
          <p>Submitted {formatDate(current.createdAt, true)}; digest <ShortDigest digest={current.digest} /></p>
          <CheckSummary revision={current} />
          {isAuthor && <RecheckAction template={t} revision={current} onDone={onChange} />}
          <RecipeText revision={current} testId="recipe-text" />
        </section>
      )}

      {isAuthor && (
        <section className="herd-library-section" aria-labelledby="revise-h">
          <Title headingLevel="h2" id="revise-h" className="pf-v6-screen-reader">New revision</Title>
          <ExpandableSection toggleText="Submit a new revision" isExpanded={revising} onToggle={(_e, v) => setRevising(v)} data-testid="revision-editor-toggle">
            {revising && <RevisionForm template={t} onDone={() => { setRevising(false); onChange(); }} />}
          </ExpandableSection>
        </section>
      )}

      <section className="herd-library-section" aria-labelledby="reviews-h">
        <Title headingLevel="h2" id="reviews-h">Reviews</Title>
        {ofCurrent.length === 0 ? <p data-testid="no-reviews">No review of revision {t.current.number} yet.</p> : (
          <List isPlain isBordered data-testid="reviews">{ofCurrent.map((r) => <ReviewItem key={r.id} review={r} />)}</List>
        )}
        {earlier.length > 0 && (
          <ExpandableSection toggleText={`${earlier.length} review${earlier.length === 1 ? '' : 's'} of earlier revisions`} data-testid="earlier-reviews-toggle">
            <List isPlain isBordered data-testid="earlier-reviews">{earlier.map((r) => <ReviewItem key={r.id} review={r} />)}</List>
          </ExpandableSection>
        )}
        {canReview && (
          <>
            <Title headingLevel="h3">Your review</Title>
            <ReviewForm template={t} onDone={onChange} />
          </>
        )}
        {account && isAuthor && roleAtLeast(account.role, 'reviewer') && <p data-testid="own-template">This is your template: someone else reviews it.</p>}
      </section>

      {older.length > 0 && (
        <section className="herd-library-section" aria-labelledby="history-h">
          <Title headingLevel="h2" id="history-h">Earlier revisions</Title>
          <RevisionHistory revisions={older} reviews={t.reviews} />
        </section>
      )}
    </article>
  );
}
