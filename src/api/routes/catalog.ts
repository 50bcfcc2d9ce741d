import { AppError } from '../../errors.ts';
import { personas, useCases } from '../../catalog/use-cases.ts';
import { catalogueReader, type CatalogueEntry } from '../../release/catalogue-entries.ts';
import { catalogueViews, latestReleases } from '../../release/catalogue-list.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { route, type RouteDef } from '../route-table.ts';

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
    route({ method: 'get', path: '/api/catalog', tag: 'catalog', summary: 'The image catalogue: each recipe\'s title, summary, use cases, personas, platforms, stack and latest release',
      handler: async (c) => {
        const all = await entries();
        const latest = await latestReleases(svc.store.db, all.flatMap((e) => (e.recipe ? [e.recipe.name] : [])));
        return c.json(catalogueViews(all, latest));
      } }),
    route({ method: 'get', path: '/api/catalog/use-cases', tag: 'catalog', summary: 'The use cases and personas the catalogue is organised by, with the images of each use case',
      handler: async (c) => {
        const { images } = catalogueViews(await entries());
        return c.json({
          useCases: Object.entries(useCases).map(([id, u]) => ({ id, title: u.title, summary: u.summary, images: images.filter((i) => i.useCases.includes(id)).map((i) => i.id) })),
          personas: Object.entries(personas).map(([id, title]) => ({ id, title })),
        });
      } }),
  ];
}
