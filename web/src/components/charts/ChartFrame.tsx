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
