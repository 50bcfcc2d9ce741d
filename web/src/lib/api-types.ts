import type { GetResult } from '../api/client.ts';

/** Names for the API answers the download pages pass around; all derived from the generated schema. */
export type Catalog = GetResult<'/api/catalog'>;
export type CatalogImage = Catalog['images'][number];
export type UseCases = GetResult<'/api/catalog/use-cases'>;
export type UseCase = UseCases['useCases'][number];
export type ReleaseSummary = GetResult<'/api/releases'>['releases'][number];
export type ReleaseDetail = GetResult<'/api/releases/{id}'>;
export type Artifact = ReleaseDetail['artifacts'][number];
export type CloudImage = ReleaseDetail['cloudImages'][number];
export type ReleaseDiff = GetResult<'/api/releases/{id}/diff'>;
export type SizeReport = GetResult<'/api/releases/{id}/size-report'>;
export type ProductHistory = GetResult<'/api/products/{id}/history'>;
export type HistoryEntry = ProductHistory['releases'][number];
export type ReleaseChangelog = GetResult<'/api/releases/{id}/changelog'>;
