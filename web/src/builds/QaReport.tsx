import { DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, ExpandableSection, Label, Title } from '@patternfly/react-core';
import { useState } from 'react';
import type { GetResult } from '../api/client.ts';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { formatBytes, formatDate } from '../lib/format.ts';

type Report = GetResult<'/api/jobs/{id}/qa'>;
type Check = Report['results'][number];
type Boot = Report['boots'][number];

const STATUS: Record<Check['status'], { color: 'green' | 'red' | 'grey' | 'orange'; text: string }> = {
  pass: { color: 'green', text: 'Passed' },
  fail: { color: 'red', text: 'Failed' },
  error: { color: 'orange', text: 'Error' },
  skip: { color: 'grey', text: 'Skipped' },
};

const columns: Column<Check>[] = [
  { title: 'Check', cell: (c) => <span><strong>{c.id}</strong> {c.title}</span> },
  { title: 'Phase', cell: (c) => c.phase },
  { title: 'Result', cell: (c) => <Label color={STATUS[c.status].color} isCompact data-testid={`qa-check-${c.id}-${c.phase}`} data-status={c.status}>{STATUS[c.status].text}</Label> },
  {
    title: 'Findings',
    cell: (c) => c.status === 'skip'
      ? <span className="herd-muted">{c.reason ?? ''}</span>
      : c.findings.length === 0 ? '–' : (
        <ul className="pf-v6-c-list">
          {c.findings.map((f, i) => <li key={i}>{f.message}{f.path && <> (<code>{f.path}</code>)</>}</li>)}
        </ul>
      ),
  },
];

/** A build's QA report: the verdict, every check (failures first), and each boot with its serial console log. */
export function QaReport({ report }: { report: Report }) {
  const count = (s: Check['status']) => report.results.filter((r) => r.status === s).length;
  const failed = count('fail') + count('error');
  const order = (c: Check) => ({ fail: 0, error: 1, pass: 2, skip: 3 })[c.status];
  const results = [...report.results].sort((a, b) => order(a) - order(b));
  return (
    <section className="herd-section-gap" aria-labelledby="qa-title" data-testid="qa-report">
      <Title headingLevel="h2" id="qa-title">
        QA report{' '}
        <Label color={report.passed ? 'green' : 'red'} data-testid="qa-verdict" data-passed={String(report.passed)}>{report.passed ? 'Passed' : 'Failed'}</Label>
      </Title>
      <p data-testid="qa-counts">
        {count('pass')} passed, {failed} failed, {count('skip')} skipped, on <code>{report.image}</code>
        {report.subject && <> (sha256 <span className="herd-digest">{report.subject.sha256.slice(0, 16)}…</span>)</>}; tested {formatDate(report.startedAt, true)} in {(report.durationMs / 1000).toFixed(1)} s.
      </p>
      <DataTable caption="QA checks, failures first" columns={columns} rows={results} rowKey={(c) => `${c.id}-${c.phase}`} testId="qa-checks" />
      {report.boots.map((b) => <BootSection key={b.firmware} boot={b} />)}
    </section>
  );
}

// Serial consoles carry terminal escapes and stray control bytes; shown as plain text, without them.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]|[\u0000-\u0008\u000b-\u001f\u007f]/g;

function BootSection({ boot }: { boot: Boot }) {
  const [open, setOpen] = useState(false);
  const figure = (v?: number) => (v === undefined ? '–' : `${v.toFixed(1)} s`);
  const log = boot.serialLog;
  return (
    <section className="herd-section-gap" aria-label={`Boot test (${boot.firmware})`} data-testid={`qa-boot-${boot.firmware}`}>
      <Title headingLevel="h3">Boot test ({boot.firmware.toUpperCase()})</Title>
      <DescriptionList isCompact columnModifier={{ default: '2Col', lg: '3Col' }}>
        <Figure term="Accelerator" value={`${boot.accel}${boot.accelFallback ? ` (fell back from KVM: ${boot.accelFallback.reason})` : ''}`} />
        <Figure term="Login prompt after" value={figure(boot.secondsToLoginPrompt)} />
        <Figure term="SSH after" value={figure(boot.secondsToSsh)} />
        <Figure term="cloud-init done after" value={figure(boot.secondsToCloudInitDone)} />
      </DescriptionList>
      {log ? (
        <ExpandableSection toggleText={`${open ? 'Hide' : 'Show'} the serial console log (${boot.firmware})`} isExpanded={open}
          onToggle={(_e, v) => setOpen(v)} data-testid={`serial-log-toggle-${boot.firmware}`}>
          {log.truncated && <p className="herd-muted">The last {formatBytes(log.text.length)} of {formatBytes(log.bytes)}.</p>}
          <pre className="herd-log" tabIndex={0} aria-label={`Serial console log (${boot.firmware})`} data-testid={`serial-log-${boot.firmware}`}>
            {log.text.replace(ESCAPES, '')}
          </pre>
        </ExpandableSection>
      ) : <p className="herd-muted">No serial console log on this server.</p>}
    </section>
  );
}

function Figure({ term, value }: { term: string; value: string }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription>{value}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}
