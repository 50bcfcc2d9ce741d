import '@patternfly/react-styles/css/components/Table/table.css';
import '@patternfly/react-styles/css/components/Table/table-grid.css';
import type { ReactNode } from 'react';

export interface Column<R> {
  title: string;
  cell(row: R): ReactNode;
  /** Right-aligned numbers read better in columns. */
  numeric?: boolean;
}

/**
 * A PatternFly-styled table without @patternfly/react-table: the same classes, and on a phone each row
 * becomes a card of "column: value" lines (pf-m-grid-md with data-label).
 */
export function DataTable<R>({ caption, columns, rows, rowKey, testId, compact = true }: {
  caption?: ReactNode; columns: Column<R>[]; rows: R[]; rowKey(row: R, i: number): string; testId?: string; compact?: boolean;
}) {
  return (
    <table className={`pf-v6-c-table pf-m-grid-md${compact ? ' pf-m-compact' : ''}`} data-testid={testId}>
      {caption && <caption className="pf-v6-c-table__caption">{caption}</caption>}
      <thead className="pf-v6-c-table__thead">
        <tr className="pf-v6-c-table__tr">
          {columns.map((c) => <th key={c.title} className="pf-v6-c-table__th" scope="col">{c.title}</th>)}
        </tr>
      </thead>
      <tbody className="pf-v6-c-table__tbody">
        {rows.map((r, i) => (
          <tr key={rowKey(r, i)} className="pf-v6-c-table__tr">
            {columns.map((c) => (
              <td key={c.title} className={`pf-v6-c-table__td${c.numeric ? ' herd-numeric' : ''}`} data-label={c.title}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
