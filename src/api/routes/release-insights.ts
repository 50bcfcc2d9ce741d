import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { parseSizeReportText, SizeReportSchema } from '../../manifest/size-report-schema.ts';
import { productHistory } from '../../release/release-history.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { getProduct, PRODUCT_ID } from '../../store/products.ts';
import { getReleaseReports } from '../../store/release-reports.ts';
import { CHANNELS } from '../../store/releases.ts';
import { IsoTime } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const HistoryEntry = z.object({
  id: z.uuid(),
  version: z.string(),
  channel: z.enum(CHANNELS),
  state: z.literal('published'),
  publishedAt: IsoTime.nullable(),
  revokedAt: IsoTime.nullable(),
  revokeReason: z.string().nullable(),
  untested: z.boolean(),
  imageBytes: z.record(z.string(), z.number().int().nonnegative()).describe('bytes of each image file, by format (qcow2, raw.xz, oci…)'),
  treeBytes: z.number().int().nonnegative().nullable().describe('the image tree\'s apparent size (size report total); null without a size report'),
  bootSeconds: z.number().nonnegative().nullable().describe('seconds from power-on to SSH in the fastest QA boot; null when not boot-tested'),
  qaPassed: z.boolean().nullable().describe('the QA verdict the release was published with; null for an untested release'),
});
const History = z.object({ product: z.string(), releases: z.array(HistoryEntry).describe('published releases, oldest first') });

/** What the portal draws: a release's size report, and a product's sizes and boot times across releases. */
export function releaseInsightRoutes(svc: ReleaseServices): RouteDef[] {
  return [
    route({ method: 'get', path: '/api/releases/:id/size-report', tag: 'releases', summary: 'Where the release\'s image tree bytes are: by directory, by package, docs, locales, kernel modules',
      params: z.object({ id: z.uuid() }), response: SizeReportSchema,
      handler: async (c, { params }) => {
        const reports = await getReleaseReports(svc.store.db, params.id);
        if (!reports) throw new AppError('release.not_found', `no release with id ${params.id}`, { kind: 'not_found', hint: 'list releases with GET /api/releases' });
        if (!reports.sizeReport) {
          throw new AppError('release.no_size_report', `release ${params.id} was published without a size report`, {
            kind: 'not_found', hint: 'releases built by `herd build` since issue #9 carry one (size-report.json); publish a new build to get it',
          });
        }
        // checked at publish time: a stored report this herd cannot read is damage, not a client's mistake
        const parsed = parseSizeReportText(reports.sizeReport);
        if (!parsed.ok) throw new AppError('release.size_report_unreadable', `the stored size report of release ${params.id} is unreadable: ${parsed.problem}`, { kind: 'internal' });
        return c.json(parsed.report);
      } }),
    route({ method: 'get', path: '/api/products/:id/history', tag: 'products', summary: 'A product\'s published releases, oldest first, with image sizes, tree size, boot time and QA verdict',
      params: z.object({ id: text({ max: 63 }).regex(PRODUCT_ID, 'must be a product id') }), response: History,
      handler: async (c, { params }) => {
        if (!(await getProduct(svc.store.db, params.id))) {
          throw new AppError('product.not_found', `no product "${params.id}"`, { kind: 'not_found', hint: 'list products with GET /api/products' });
        }
        return c.json({ product: params.id, releases: await productHistory(svc.store.db, params.id) });
      } }),
  ];
}
