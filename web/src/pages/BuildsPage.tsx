import { Content, PageSection, Title } from '@patternfly/react-core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { apiGet } from '../api/client.ts';
import { ApiFailure, FINISHED, type Job, type JobProgress, JobStateLabel, jobTitle, ProgressSummary } from '../builds/job-view.tsx';
import '../builds/builds.css';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { Loading } from '../components/LoadState.tsx';
import { formatDate } from '../lib/format.ts';

const REFRESH_MS = 4000;
const RECENT = 25;

interface Queue { running: Job[]; queued: Job[]; recent: Job[]; progress: Record<string, JobProgress | undefined>; at: Date }

async function loadQueue(signal: AbortSignal): Promise<Queue> {
  const [running, queued, latest] = await Promise.all([
    apiGet('/api/jobs', { query: { state: 'running' }, signal }),
    apiGet('/api/jobs', { query: { state: 'queued' }, signal }),
    apiGet('/api/jobs', { query: { limit: String(RECENT * 2) }, signal }),
  ]);
  // running jobs are few (one per worker): their progress is one request each
  const progress = Object.fromEntries(await Promise.all(running.jobs.map(async (j) =>
    [j.id, await apiGet('/api/jobs/{id}/progress', { params: { id: j.id }, signal }).catch(() => undefined)] as const)));
  return { running: running.jobs, queued: queued.jobs, recent: latest.jobs.filter((j) => FINISHED.has(j.state)).slice(0, RECENT), progress, at: new Date() };
}

/** Polls the queue while the page is visible; keeps the last good answer on screen when a refresh fails. */
function useQueue(): { queue?: Queue; error?: Error } {
  const [queue, setQueue] = useState<Queue>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          setQueue(await loadQueue(ac.signal));
          setError(undefined);
        } catch (e) {
          if (ac.signal.aborted) return;
          setError(e instanceof Error ? e : new Error(String(e)));
        }
      }
      if (!ac.signal.aborted) timer = setTimeout(tick, REFRESH_MS);
    };
    void tick();
    return () => { ac.abort(); clearTimeout(timer); };
  }, []);
  return { queue, error };
}

const jobLink: Column<Job> = {
  title: 'Job',
  cell: (j) => <Link to={`/builds/${j.id}`} data-testid={`job-link-${j.id}`}>{jobTitle(j)}</Link>,
};
const state: Column<Job> = { title: 'State', cell: (j) => <JobStateLabel state={j.state} testId={`job-state-${j.id}`} /> };
const created: Column<Job> = { title: 'Queued at', cell: (j) => formatDate(j.createdAt, true) };
const attempts: Column<Job> = { title: 'Attempt', cell: (j) => `${j.attempts} of ${j.maxAttempts}`, numeric: true };

export function BuildsPage() {
  const { queue, error } = useQueue();
  const runningColumns: Column<Job>[] = [
    jobLink, state,
    { title: 'Progress', cell: (j) => <ProgressSummary progress={queue?.progress[j.id]} testId={`job-progress-${j.id}`} /> },
    { title: 'Started', cell: (j) => formatDate(j.startedAt, true) },
    attempts,
  ];
  const recentColumns: Column<Job>[] = [
    jobLink, state,
    { title: 'Finished', cell: (j) => formatDate(j.finishedAt, true) },
    { title: 'Outcome', cell: (j) => (j.state === 'failed' ? <span className="herd-log-error">{firstLine(j.error)}</span> : outcome(j)) },
  ];
  return (
    <PageSection>
      <Title headingLevel="h1">Builds</Title>
      <Content component="p">
        The job queue: image builds, their QA and publication. Open a job for its live log, QA report and images.
        {queue && <span className="herd-muted" data-testid="builds-updated"> Updated {queue.at.toLocaleTimeString()}.</span>}
      </Content>
      {error && <ApiFailure what="the build queue" error={error} testId="builds-error" />}
      {!queue && !error && <Loading what="the build queue" />}
      {queue && (
        <>
          <JobSection title="Running" testId="builds-running" empty="No job is running." jobs={queue.running} columns={runningColumns} />
          <JobSection title="Queued" testId="builds-queued" empty="The queue is empty." jobs={queue.queued} columns={[jobLink, state, created, attempts]} />
          <JobSection title="Recently finished" testId="builds-recent" empty="No job has finished yet." jobs={queue.recent} columns={recentColumns} />
        </>
      )}
    </PageSection>
  );
}

function JobSection({ title, testId, empty, jobs, columns }: { title: string; testId: string; empty: string; jobs: Job[]; columns: Column<Job>[] }) {
  return (
    <section className="herd-section-gap" aria-labelledby={`${testId}-title`}>
      <Title headingLevel="h2" id={`${testId}-title`}>{title} <span className="herd-muted">({jobs.length})</span></Title>
      {jobs.length === 0
        ? <Content component="p" data-testid={`${testId}-empty`}>{empty}</Content>
        : <DataTable caption={undefined} columns={columns} rows={jobs} rowKey={(j) => j.id} testId={testId} />}
    </section>
  );
}

function outcome(j: Job): string {
  const r = (j.result ?? {}) as Record<string, unknown>;
  if (typeof r.version === 'string') return `released ${typeof r.product === 'string' ? `${r.product} ` : ''}${r.version}${r.untested ? ' (untested)' : ''}`;
  if (j.kind === 'build' && j.state === 'succeeded') return r.tested === false ? 'built, not tested' : 'built and tested';
  return j.state === 'cancelled' ? 'cancelled' : '–';
}

function firstLine(s: string | null): string {
  const line = (s ?? '').split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
