import { ExpandableSection } from '@patternfly/react-core';
import { type ReactNode, useState } from 'react';
import './charts.css';

/**
 * What every chart is wrapped in: a heading the SVG's <title> repeats, and the same numbers as a table for
 * screen readers, keyboard users and anyone who wants to copy them.
 */
export function ChartFrame({ heading, children, table, testId }: { heading: string; children: ReactNode; table: ReactNode; testId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <figure className="herd-chart" data-testid={testId}>
      {children}
      <ExpandableSection toggleText={open ? `Hide the data of "${heading}"` : `Show the data of "${heading}" as a table`} isExpanded={open} onToggle={(_e, v) => setOpen(v)}>
        {table}
      </ExpandableSection>
    </figure>
  );
}

/** A label that fits `max` characters, with an ellipsis when cut (the full text is in the <title> and the table). */
export function fit(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

/** Round axis ticks from 0 to at least max: 1, 2 or 5 times a power of ten. */
export function ticks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
