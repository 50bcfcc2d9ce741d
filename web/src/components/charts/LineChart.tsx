import { useId } from 'react';
import { DataTable } from '../DataTable.tsx';
import { ChartFrame } from './ChartFrame.tsx';
import { fit, ticks } from './scale.ts';
import { useWidth } from './use-width.ts';

export interface Series { name: string; values: Array<number | null> }

interface Row { c: string; i: number }

const TOP = 10;
const BOTTOM = 44;
const LEFT = 64;
const RIGHT = 16;
const HEIGHT = 240;

/**
 * Values over an ordered category axis (releases, oldest first); one line per series, a gap where a release
 * has no value, a dot per value with its number in a tooltip.
 */
export function LineChart({ heading, description, categories, series, format, binary, testId }: {
  heading: string; description: string; categories: string[]; series: Series[]; format(v: number): string; binary?: boolean; testId?: string;
}) {
  const id = useId();
  const [ref, width] = useWidth<HTMLDivElement>();
  const plotW = width - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const scale = ticks(max, 4, binary);
  const top = scale[scale.length - 1] || 1;
  const x = (i: number) => LEFT + (categories.length <= 1 ? plotW / 2 : (i / (categories.length - 1)) * plotW);
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  // every label when they fit, else every n-th (always the newest, which readers look for)
  const every = Math.max(1, Math.ceil((categories.length * 84) / plotW));
  const shown = (i: number) => (categories.length - 1 - i) % every === 0;
  const table = (
    <DataTable<Row> caption={heading} rows={categories.map((c, i) => ({ c, i }))} rowKey={(r) => r.c}
      columns={[{ title: 'Release', cell: (r) => r.c }, ...series.map((s) => ({ title: s.name, numeric: true, cell: (r: Row) => { const v = s.values[r.i]; return v === null || v === undefined ? '–' : format(v); } }))]} />
  );
  return (
    <ChartFrame heading={heading} table={table} testId={testId}>
      {series.length > 1 && (
        <ul className="herd-chart__legend" aria-hidden="true">
          {series.map((s, k) => <li key={s.name}><span className={`herd-chart__swatch herd-series-${k % 6}`} />{s.name}</li>)}
        </ul>
      )}
      <div ref={ref}>
        <svg role="img" aria-labelledby={`${id}t ${id}d`} width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`}>
          <title id={`${id}t`}>{heading}</title>
          <desc id={`${id}d`}>{description}</desc>
          {scale.map((t) => (
            <g key={t}>
              <line className="herd-chart__grid" x1={LEFT} x2={width - RIGHT} y1={y(t)} y2={y(t)} />
              <text className="herd-chart__muted" x={LEFT - 6} y={y(t) + 4} textAnchor="end">{format(t)}</text>
            </g>
          ))}
          <line className="herd-chart__axis" x1={LEFT} x2={width - RIGHT} y1={TOP + plotH} y2={TOP + plotH} />
          {categories.map((c, i) => shown(i) && (
            <text key={c} className="herd-chart__muted" x={x(i)} y={TOP + plotH + 16} textAnchor="middle">{fit(c, 12)}</text>
          ))}
          {series.map((s, k) => (
            <g key={s.name}>
              <path className={`herd-chart__line herd-series-${k % 6}`} d={path(s.values, x, y)} />
              {s.values.map((v, i) => v !== null && (
                <circle key={i} className={`herd-series-${k % 6}`} cx={x(i)} cy={y(v)} r={3.5}>
                  <title>{`${s.name}, ${categories[i]}: ${format(v)}`}</title>
                </circle>
              ))}
            </g>
          ))}
        </svg>
      </div>
    </ChartFrame>
  );
}

/** An SVG path through the values, lifting the pen over missing ones. */
function path(values: Array<number | null>, x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}
