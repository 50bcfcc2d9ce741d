import {
  Alert, Breadcrumb, BreadcrumbItem, Button, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm,
  PageSection, Switch, Title,
} from '@patternfly/react-core';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, apiPost } from '../api/client.ts';
import { BuildOutputs } from '../builds/BuildOutputs.tsx';
import { ApiFailure, FINISHED, type Job, JobStateLabel, jobTitle, ProgressSummary } from '../builds/job-view.tsx';
import { type LogEntry, useJobStream } from '../builds/use-job-stream.ts';
import '../builds/builds.css';
import { Loading } from '../components/LoadState.tsx';
import { formatDate } from '../lib/format.ts';
import { useSession } from '../session.tsx';

/** One job: live progress and log while it runs; afterwards its outcome, images, release and QA report. */
export function BuildPage() {
  const { id = '' } = useParams();
  const stream = useJobStream(id);
  const { job, error, progress, mode } = stream;
  return (
    <PageSection>
      <Breadcrumb>
        <BreadcrumbItem><Link to="/builds">Builds</Link></BreadcrumbItem>
        <BreadcrumbItem isActive>{job ? jobTitle(job) : 'Job'}</BreadcrumbItem>
      </Breadcrumb>
      {error && <ApiFailure what="this job" error={error} testId="build-error-load" />}
      {!job && !error && <Loading what="the job" />}
      {job && (
        <>
          <Title headingLevel="h1" data-testid="build-title">{jobTitle(job)} <JobStateLabel state={job.state} testId="build-state" /></Title>
          <JobFacts job={job} />
          <CancelButton job={job} onDone={stream.reload} />
          {job.state === 'running' && (
            <section className="herd-section-gap" aria-label="Progress" aria-live="polite">
              <ProgressSummary progress={progress} testId="build-progress" />
            </section>
          )}
          {job.state === 'failed' && job.error && (
            <Alert variant="danger" isInline title="The job failed" className="herd-section-gap" data-testid="build-failure">
              <pre className="herd-log">{job.error}</pre>
            </Alert>
          )}
          {mode === 'polling' && (
            <Alert variant="info" isInline isPlain title="Live log unavailable: the server has too many open streams; the state refreshes every few seconds." data-testid="build-live-unavailable" />
          )}
          {/* a finished build's outcome first: its release, images and QA report; the log after */}
          {job.kind === 'build' && FINISHED.has(job.state) && <BuildOutputs jobId={job.id} />}
          <JobLog entries={stream.log} dropped={stream.dropped} live={mode === 'live' && !FINISHED.has(job.state)} />
        </>
      )}
    </PageSection>
  );
}

function JobFacts({ job }: { job: Job }) {
  const facts: Array<[string, string]> = [
    ['Job id', job.id],
    ['Queued', formatDate(job.createdAt, true)],
    ['Started', formatDate(job.startedAt, true)],
    ['Finished', formatDate(job.finishedAt, true)],
    ['Attempt', `${job.attempts} of ${job.maxAttempts}`],
    ...(job.workerId ? [['Worker', job.workerId] as [string, string]] : []),
  ];
  return (
    <DescriptionList isCompact isHorizontal className="herd-section-gap" data-testid="build-facts">
      {facts.map(([term, value]) => (
        <DescriptionListGroup key={term}>
          <DescriptionListTerm>{term}</DescriptionListTerm>
          <DescriptionListDescription><span className={term === 'Job id' ? 'herd-digest' : undefined}>{value}</span></DescriptionListDescription>
        </DescriptionListGroup>
      ))}
    </DescriptionList>
  );
}

/** Shown to signed-in people who may cancel (publisher or above); the server decides, and its refusal is shown as it states it. */
function CancelButton({ job, onDone }: { job: Job; onDone(): void }) {
  const { account } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!account || !['publisher', 'admin'].includes(account.role) || FINISHED.has(job.state)) return null;
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await apiPost('/api/jobs/{id}/cancel', {}, { params: { id: job.id } });
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="herd-section-gap">
      <Button variant="secondary" isDanger onClick={() => void cancel()} isDisabled={busy} data-testid="cancel-job">Cancel job</Button>
      {error && <Alert variant="danger" isInline isPlain title={error} data-testid="cancel-job-error" />}
    </div>
  );
}

/** The log as it arrives; follows the end unless the reader scrolls up to read (scrolling back down follows again). */
function JobLog({ entries, dropped, live }: { entries: LogEntry[]; dropped: number; live: boolean }) {
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [entries, follow]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);
  return (
    <section className="herd-section-gap" aria-labelledby="log-title">
      <Title headingLevel="h2" id="log-title">Log {live && <span className="herd-muted">(live)</span>}</Title>
      <Switch id="follow-log" label="Follow the end of the log" isChecked={follow} onChange={(_e, v) => setFollow(v)} data-testid="log-follow" />
      {dropped > 0 && <p className="herd-muted" data-testid="log-dropped">{dropped} earlier lines are not shown.</p>}
      <pre ref={box} className="herd-log herd-section-gap" tabIndex={0} aria-label="Job log" data-testid="build-log" data-lines={entries.length}>
        {entries.length === 0 ? <span className="herd-muted">No log lines yet.</span> : entries.map((e) => (
          <span key={e.id} className={e.kind === 'phase' ? 'herd-log-phase' : e.kind === 'error' ? 'herd-log-error' : undefined}>{e.text}{'\n'}</span>
        ))}
      </pre>
    </section>
  );
}
