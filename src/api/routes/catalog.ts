import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { personas, useCases } from '../../catalog/use-cases.ts';
import { catalogueReader, type CatalogueEntry } from '../../release/catalogue-entries.ts';
import { catalogueViews, latestReleases } from '../../release/catalogue-list.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { IsoTime } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';

const LatestReleaseView = z.object({
  id: z.uuid(), version: z.string(), channel: z.string(), publishedAt: IsoTime.nullable(), untested: z.boolean(),
  qcow2Bytes: z.number().int().nonnegative().optional(),
});
const CatalogueImage = z.object({
  id: z.string().describe('the recipe id (recipes/<id>.yaml)'),
  product: z.string().describe('the product its releases are published under'),
  title: z.string(), summary: z.string(), useCases: z.array(z.string()), personas: z.array(z.string()), platforms: z.array(z.string()),
  stack: z.object({ language: z.string(), version: z.string(), frameworks: z.array(z.string()) }).optional(),
  notes: z.string().optional(),
  extends: z.string().optional(),
  distribution: z.object({ name: z.string(), release: z.string() }),
  qaSuites: z.array(z.string()),
  sizeBudget: z.object({ qcow2: z.number().optional(), oci: z.number().optional() }).describe('bytes'),
  latestRelease: LatestReleaseView.optional().describe('the newest published, unrevoked release'),
});
const Catalogue = z.object({ images: z.array(CatalogueImage), invalid: z.array(z.string()).describe('ids of recipes that are not valid (why is the operator\'s business: `herd catalog`)') });
const UseCases = z.object({
  useCases: z.array(z.object({ id: z.string(), title: z.string(), summary: z.string(), images: z.array(z.string()).describe('catalogue image ids') })),
  personas: z.array(z.object({ id: z.string(), title: z.string() })),
});

/**
 * The catalogue for the portal: anonymous reads of what the server's recipes folder holds (presentation only:
 * never a path, a recipe's text or why a recipe is invalid) and the use-case and persona vocabulary.
 */
export function catalogRoutes(svc: ReleaseServices): RouteDef[] {
  const read = catalogueReader(svc.recipesDir);
  const entries = async (): Promise<CatalogueEntry[]> => {
    try {
      return await read();
    } catch (e) {
      // the folder's path is the operator's business, not an anonymous caller's
      throw new AppError('catalogue.unavailable', 'the recipe catalogue cannot be read', { kind: 'dependency', hint: 'the operator starts herd serve with --recipes DIR', cause: e });
    }
  };
  return [
    route({ method: 'get', path: '/api/catalog', tag: 'catalog', summary: 'The image catalogue: each recipe\'s title, summary, use cases, personas, platforms, stack and latest release', response: Catalogue,
      handler: async (c) => {
        const all = await entries();
        const latest = await latestReleases(svc.store.db, all.flatMap((e) => (e.recipe ? [e.recipe.name] : [])));
        return c.json(catalogueViews(all, latest));
      } }),
    route({ method: 'get', path: '/api/catalog/use-cases', tag: 'catalog', summary: 'The use cases and personas the catalogue is organised by, with the images of each use case', response: UseCases,
      handler: async (c) => {
        const { images } = catalogueViews(await entries());
        return c.json({
          useCases: Object.entries(useCases).map(([id, u]) => ({ id, title: u.title, summary: u.summary, images: images.filter((i) => i.useCases.includes(id)).map((i) => i.id) })),
          personas: Object.entries(personas).map(([id, title]) => ({ id, title })),
        });
      } }),
  ];
}
