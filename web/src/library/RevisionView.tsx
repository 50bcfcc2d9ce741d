import { ExpandableSection, Label, List, ListItem } from '@patternfly/react-core';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDate } from '../lib/format.ts';
import { CheckLabel, personOf, ShortDigest } from './labels.tsx';
import { checkText, sizeText } from './check-text.ts';
import type { Review, Revision } from './library-types.ts';

/** A revision's recipe, as text: whatever the author wrote, a <pre> shows it and nothing runs it. */
export function RecipeText({ revision, testId }: { revision: Revision; testId?: string }) {
  return <pre className="herd-recipe-text" data-testid={testId} tabIndex={0} aria-label={`Recipe of revision ${revision.number}`}>{revision.recipe}</pre>;
}

/** What the revision's check found: build, boot test, size against the budget, and the job that ran it. */
export function CheckSummary({ revision }: { revision: Revision }) {
  const c = revision.check;
  return (
    <div data-testid="check-summary" data-state={c.state}>
      <CheckLabel state={c.state} /> {checkText(c.state, c.detail)}
      {c.detail?.size && <>; size {sizeText(c.detail.size)}</>}
      {c.detail?.error && <p className="herd-prewrap" data-testid="check-error">{c.detail.error.message}</p>}
      {c.jobId && <> (<Link to={`/builds/${c.jobId}`} data-testid="check-job-link">check build</Link>)</>}
    </div>
  );
}

export function ReviewItem({ review }: { review: Review }) {
  const approve = review.verdict === 'approve';
  return (
    <ListItem data-testid="review" data-verdict={review.verdict} data-dismissed={review.dismissedAt ? 'true' : 'false'}>
      <strong>{personOf(review.reviewer)}</strong>{' '}
      <Label isCompact color={approve ? 'green' : 'orange'}>{approve ? 'Approved' : 'Requested changes'}</Label>{' '}
      revision {review.revision} (<ShortDigest digest={review.digest} />), {formatDate(review.createdAt, true)}
      {review.dismissedAt && <> <Label isCompact variant="outline">Dismissed by a newer revision</Label></>}
      {review.comment && <p className="herd-prewrap" data-testid="review-comment-text">{review.comment}</p>}
    </ListItem>
  );
}

/** Older revisions, newest first, each folded: their text and check stay readable for the record. */
export function RevisionHistory({ revisions, reviews }: { revisions: Revision[]; reviews: Review[] }) {
  return (
    <List isPlain isBordered data-testid="revision-history">
      {[...revisions].sort((a, b) => b.number - a.number).map((r) => <OldRevision key={r.id} revision={r} reviews={reviews.filter((x) => x.revision === r.number)} />)}
    </List>
  );
}

function OldRevision({ revision, reviews }: { revision: Revision; reviews: Review[] }) {
  const [open, setOpen] = useState(false);
  return (
    <ListItem data-testid="revision" data-number={revision.number}>
      <ExpandableSection toggleText={`Revision ${revision.number}, ${formatDate(revision.createdAt, true)}`} isExpanded={open} onToggle={(_e, v) => setOpen(v)}>
        <p>Digest <ShortDigest digest={revision.digest} /></p>
        <CheckSummary revision={revision} />
        <RecipeText revision={revision} />
        {reviews.length > 0 && <p>{reviews.length} review{reviews.length === 1 ? '' : 's'} of this revision, listed under Reviews.</p>}
      </ExpandableSection>
    </ListItem>
  );
}
