import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet } from '../api/client.ts';
import { FINISHED, type Job, type JobProgress } from './job-view.tsx';

export interface LogEntry { id: number; kind: 'line' | 'phase' | 'step' | 'error'; text: string }

export interface JobStream {
  job?: Job;
  /** The job row could not be read (401/403/404…): nothing else is tried. */
  error?: Error;
  progress?: JobProgress;
  log: LogEntry[];
  /** Lines dropped from the start of a very long log (the page keeps the last MAX_LINES). */
  dropped: number;
  /** 'live' while the event stream is open; 'polling' when the server refused it (too many streams). */
  mode: 'connecting' | 'live' | 'polling' | 'done';
  reload(): void;
}

const MAX_LINES = 5000;
const PROGRESS_EVERY_MS = 1500;
const POLL_MS = 5000;

/** One job event as a log line (see the events src/worker/handlers.ts and worker.ts record). */
function entryOf(type: string, id: number, d: Record<string, unknown>): LogEntry | undefined {
  const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  if (type === 'log') return { id, kind: 'line', text: s(d.line) };
  if (type === 'error') return { id, kind: 'error', text: `attempt ${s(d.attempt)} failed: ${s(d.error)}` };
  if (type === 'release-version') return { id, kind: 'phase', text: `== release version ${s(d.version)}` };
  if (type !== 'progress') return undefined;
  if (typeof d.phase === 'string') return { id, kind: 'phase', text: `== ${d.phase}${d.detail ? `: ${s(d.detail)}` : ''}` };
  if (typeof d.stage !== 'string') return undefined;
  if (d.status === 'running') return { id, kind: 'step', text: `>> ${d.stage} ${s(d.step).slice(0, 12)}` };
  return { id, kind: d.status === 'failed' ? 'error' : 'step', text: `<< ${d.stage} ${s(d.status)}${typeof d.seconds === 'number' ? ` ${d.seconds.toFixed(1)}s` : ''}${d.error ? ` ${s(d.error)}` : ''}` };
}

const parse = (data: string): Record<string, unknown> => {
  try { const v = JSON.parse(data); return v && typeof v === 'object' ? v : {}; } catch { return {}; }
};

/**
 * A job, its progress and its log, live: the job row first (so a 401 or 404 shows the API's own message),
 * then its events as server-sent events until the job ends. The browser's EventSource resumes with
 * Last-Event-ID after a dropped connection; a refused stream falls back to polling the job row.
 */
export function useJobStream(id: string): JobStream {
  const [job, setJob] = useState<Job>();
  const [error, setError] = useState<Error>();
  const [progress, setProgress] = useState<JobProgress>();
  const [log, setLog] = useState<{ lines: LogEntry[]; dropped: number }>({ lines: [], dropped: 0 });
  const [mode, setMode] = useState<JobStream['mode']>('connecting');
  const [generation, setGeneration] = useState(0);
  const lastProgress = useRef(0);

  const refresh = useCallback(async (signal?: AbortSignal) => {
    const [j, p] = await Promise.all([
      apiGet('/api/jobs/{id}', { params: { id }, signal }),
      apiGet('/api/jobs/{id}/progress', { params: { id }, signal }).catch(() => undefined),
    ]);
    setJob(j);
    if (p) setProgress(p);
    return j;
  }, [id]);

  useEffect(() => {
    const ac = new AbortController();
    let es: EventSource | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    let pending: LogEntry[] = [];
    let flush: ReturnType<typeof setTimeout> | undefined;
    setJob(undefined); setError(undefined); setProgress(undefined); setLog({ lines: [], dropped: 0 }); setMode('connecting');
    // log lines arrive in bursts (a replay sends thousands at once): render them in batches
    const append = (e: LogEntry) => {
      pending.push(e);
      flush ??= setTimeout(() => {
        const batch = pending;
        pending = []; flush = undefined;
        setLog((l) => {
          const lines = l.lines.concat(batch);
          const over = Math.max(0, lines.length - MAX_LINES);
          return { lines: over ? lines.slice(over) : lines, dropped: l.dropped + over };
        });
      }, 100);
    };
    const progressSoon = () => {
      const now = Date.now();
      if (now - lastProgress.current < PROGRESS_EVERY_MS) return;
      lastProgress.current = now;
      apiGet('/api/jobs/{id}/progress', { params: { id }, signal: ac.signal }).then(setProgress, () => {});
    };
    const finish = () => {
      es?.close();
      clearInterval(poll);
      setMode('done');
      void refresh(ac.signal).catch(() => {});
    };
    refresh(ac.signal).then((j) => {
      es = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
      es.onopen = () => setMode('live');
      for (const type of ['log', 'progress', 'error', 'release-version']) {
        es.addEventListener(type, (m) => {
          const entry = entryOf(type, Number((m as MessageEvent).lastEventId) || 0, parse((m as MessageEvent).data));
          if (entry) append(entry);
          if (type === 'progress') progressSoon();
        });
      }
      es.addEventListener('state', () => { void refresh(ac.signal).catch(() => {}); });
      es.addEventListener('end', finish);
      es.onerror = () => {
        if (es?.readyState !== EventSource.CLOSED || ac.signal.aborted) return; // CONNECTING: the browser retries
        if (FINISHED.has(j.state)) { setMode('done'); return; }
        setMode('polling');
        poll = setInterval(() => {
          refresh(ac.signal).then((now) => { if (FINISHED.has(now.state)) finish(); }, () => {});
        }, POLL_MS);
      };
    }, (e: unknown) => {
      if (!ac.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => { ac.abort(); es?.close(); clearInterval(poll); clearTimeout(flush); };
  }, [id, refresh, generation]);

  return { job, error, progress, log: log.lines, dropped: log.dropped, mode, reload: () => setGeneration((g) => g + 1) };
}
