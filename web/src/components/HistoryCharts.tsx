import { Alert } from '@patternfly/react-core';
import { apiGet } from '../api/client.ts';
import { formatBytes } from '../lib/format.ts';
import { unlessNotFound, useApi } from '../lib/use-api.ts';
import { LineChart } from './charts/LineChart.tsx';
import { LoadError, Loading } from './LoadState.tsx';

/** Image sizes (one line per format) and boot time across a product's releases, oldest first. */
export function HistoryCharts({ product }: { product: string }) {
  const { data, error, loading } = useApi((signal) => unlessNotFound(apiGet('/api/products/{id}/history', { params: { id: product }, signal })), [product]);
  if (error) return <LoadError what="the release history" error={error} />;
  if (loading) return <Loading what="the release history" />;
  const releases = data?.releases ?? [];
  if (releases.length < 2) return <Alert variant="info" isInline isPlain title="The history charts need at least two published releases." data-testid="no-history" />;
  const categories = releases.map((r) => (r.revokedAt ? `${r.version} (revoked)` : r.version));
  const formats = [...new Set(releases.flatMap((r) => Object.keys(r.imageBytes)))].sort();
  const sizes = formats.map((f) => ({ name: f, values: releases.map((r) => r.imageBytes[f] ?? null) }));
  const boots = releases.map((r) => r.bootSeconds);
  const last = releases[releases.length - 1]!;
  return (
    <div data-testid="history">
      <LineChart heading="Image size across releases" testId="chart-image-size" categories={categories} series={sizes} format={formatBytes} binary
        description={`Bytes of each image file per release, oldest first, for ${formats.join(', ')}; the newest release is ${last.version}.`} />
      {boots.some((b) => b !== null) ? (
        <LineChart heading="Boot time across releases" testId="chart-boot-time" categories={categories} series={[{ name: 'Seconds to SSH', values: boots }]}
          format={(s) => `${Number(s.toFixed(1))} s`}
          description="Seconds from power-on to SSH in the fastest QA boot of each release; gaps are releases that were not boot-tested." />
      ) : <Alert variant="info" isInline isPlain title="No release of this image has a boot time (none was boot-tested)." />}
    </div>
  );
}
