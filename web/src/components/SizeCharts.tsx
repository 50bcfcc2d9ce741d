import { Alert, Title } from '@patternfly/react-core';
import { apiGet } from '../api/client.ts';
import type { SizeReport } from '../lib/api-types.ts';
import { formatBytes } from '../lib/format.ts';
import { unlessNotFound, useApi } from '../lib/use-api.ts';
import { BarChart } from './charts/BarChart.tsx';
import { LoadError, Loading } from './LoadState.tsx';

/** The footprint items the size report totals (src/engine/size-report.ts), in the words the page uses. */
const CATEGORY_TITLES: Record<keyof SizeReport['totals'], string> = {
  docs: 'Documentation', locales: 'Locales', man: 'Man pages', info: 'Info pages', kernelModules: 'Kernel modules', pythonBytecode: 'Python bytecode',
};
const TOP_PACKAGES = 12;

/** Where a release's bytes are: largest packages, the footprint categories and the top-level directories. */
export function SizeCharts({ releaseId, version }: { releaseId: string; version: string }) {
  const { data, error, loading } = useApi((signal) => unlessNotFound(apiGet('/api/releases/{id}/size-report', { params: { id: releaseId }, signal })), [releaseId]);
  if (error) return <LoadError what="the size report" error={error} />;
  if (loading) return <Loading what="the size report" />;
  if (!data) return <Alert variant="info" isInline isPlain title={`Release ${version} was published without a size report.`} data-testid="no-size-report" />;
  const categories = (Object.keys(CATEGORY_TITLES) as Array<keyof SizeReport['totals']>).map((k) => ({ label: CATEGORY_TITLES[k], value: data.totals[k].bytes }));
  return (
    <div data-testid="size-report">
      <p>The image tree of {version} holds <strong>{formatBytes(data.total.bytes)}</strong> in {data.total.files.toLocaleString('en')} files ({formatBytes(data.unpackaged.bytes)} in files no package lists).</p>
      <Title headingLevel="h3" size="md">Largest packages</Title>
      <BarChart heading={`The ${Math.min(TOP_PACKAGES, data.byPackage.length)} largest packages of ${version}`} testId="chart-packages"
        description={`Installed bytes per package, largest first; the largest is ${data.byPackage[0]?.name ?? 'none'} with ${formatBytes(data.byPackage[0]?.bytes ?? 0)}.`}
        bars={data.byPackage.slice(0, TOP_PACKAGES).map((p) => ({ label: p.name, value: p.bytes }))} format={formatBytes} binary valueTitle="Size" />
      <Title headingLevel="h3" size="md">Docs, locales and kernel modules</Title>
      <BarChart heading={`Footprint categories of ${version}`} testId="chart-categories"
        description="Bytes left in documentation, locales, man and info pages, kernel modules and Python bytecode: what the footprint trimming targets."
        bars={categories} format={formatBytes} binary valueTitle="Size" />
      <Title headingLevel="h3" size="md">Top-level directories</Title>
      <BarChart heading={`Top-level directories of ${version}`} testId="chart-directories"
        description="Bytes per top-level entry of the image tree, largest first."
        bars={data.byDirectory.slice(0, 8).map((d) => ({ label: d.path, value: d.bytes }))} format={formatBytes} binary valueTitle="Size" />
    </div>
  );
}
