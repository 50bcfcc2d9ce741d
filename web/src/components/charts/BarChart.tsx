import { useId } from 'react';
import { DataTable } from '../DataTable.tsx';
import { ChartFrame } from './ChartFrame.tsx';
import { fit, ticks } from './scale.ts';
import { useWidth } from './use-width.ts';

export interface Bar { label: string; value: number }

const ROW = 26;
const TOP = 8;
const AXIS = 22;

/** Horizontal bars, largest first as given: the shape for "where do the bytes go". */
export function BarChart({ heading, description, bars, format, binary, valueTitle, testId }: {
  heading: string; description: string; bars: Bar[]; format(v: number): string; binary?: boolean; valueTitle: string; testId?: string;
}) {
  const id = useId();
  const [ref, width] = useWidth<HTMLDivElement>();
  const labelWidth = Math.min(180, Math.round(width * 0.36));
  const valueWidth = 72;
  const plot = Math.max(40, width - labelWidth - valueWidth - 8);
  const max = Math.max(...bars.map((b) => b.value), 0);
  const scale = ticks(max, 4, binary);
  const top = scale[scale.length - 1] || 1;
  const x = (v: number) => labelWidth + (v / top) * plot;
  const height = TOP + bars.length * ROW + AXIS;
  const table = (
    <DataTable caption={heading} rows={bars} rowKey={(b) => b.label}
      columns={[{ title: 'Item', cell: (b) => b.label }, { title: valueTitle, cell: (b) => format(b.value), numeric: true }]} />
  );
  return (
    <ChartFrame heading={heading} table={table} testId={testId}>
      <div ref={ref}>
        <svg role="img" aria-labelledby={`${id}t ${id}d`} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
          <title id={`${id}t`}>{heading}</title>
          <desc id={`${id}d`}>{description}</desc>
          {scale.map((t) => (
            <g key={t}>
              <line className="herd-chart__grid" x1={x(t)} x2={x(t)} y1={TOP} y2={TOP + bars.length * ROW} />
              <text className="herd-chart__muted" x={x(t)} y={height - 6} textAnchor="middle">{format(t)}</text>
            </g>
          ))}
          {bars.map((b, i) => {
            const y = TOP + i * ROW;
            return (
              <g key={b.label}>
                <title>{`${b.label}: ${format(b.value)}`}</title>
                <text x={labelWidth - 6} y={y + ROW / 2 + 4} textAnchor="end">{fit(b.label, Math.floor(labelWidth / 7))}</text>
                <rect className="herd-series-0" x={labelWidth} y={y + 4} width={Math.max(1, x(b.value) - labelWidth)} height={ROW - 8} rx={2} />
                <text className="herd-chart__muted" x={x(b.value) + 4} y={y + ROW / 2 + 4}>{format(b.value)}</text>
              </g>
            );
          })}
          <line className="herd-chart__axis" x1={labelWidth} x2={labelWidth} y1={TOP} y2={TOP + bars.length * ROW} />
        </svg>
      </div>
    </ChartFrame>
  );
}
