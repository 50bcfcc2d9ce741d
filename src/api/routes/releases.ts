import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { promoteRelease, revokeRelease } from '../../release/release-actions.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { listArtifacts } from '../../store/artifacts.ts';
import { listCloudImages } from '../../store/cloud-images.ts';
import { CHANNELS, getRelease, listReleases } from '../../store/releases.ts';
import { route, type RouteDef } from '../route-table.ts';

const Id = z.object({ id: z.uuid() });
const Filter = z.object({
  product: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
  state: z.enum(['pending', 'published', 'failed']).optional(),
});

export function releaseRoutes(svc: ReleaseServices, changed: () => void): RouteDef[] {
  return [
    route({ method: 'get', path: '/api/releases', tag: 'releases', summary: 'List releases, newest first', query: Filter,
      handler: async (c, { query }) => c.json({ releases: await listReleases(svc.store.db, { productId: query.product, channel: query.channel, state: query.state }) }) }),
    route({ method: 'get', path: '/api/releases/:id', tag: 'releases', summary: 'A release with its artifacts, cloud images and package manifest', params: Id,
      handler: async (c, { params }) => {
        const r = await getRelease(svc.store.db, params.id);
        if (!r) throw new AppError('release.not_found', `no release with id ${params.id}`, { hint: 'list releases with GET /api/releases' });
        const artifacts = (await listArtifacts(svc.store.db, [r.id])).map((a) => ({ ...a, url: `/artifacts/${a.location}`, signatureUrl: `/artifacts/${a.signature}` }));
        return c.json({ ...r, artifacts, cloudImages: await listCloudImages(svc.store.db, [r.id]) });
      } }),
    route({ method: 'post', path: '/api/releases/:id/promote', tag: 'releases', summary: 'Move a release to another channel (testing → stable)', role: 'publisher',
      params: Id, body: z.object({ to: z.enum(CHANNELS) }),
      handler: async (c, { params, body }) => { const r = await promoteRelease(svc, params.id, body.to); changed(); return c.json(r); } }),
    route({ method: 'post', path: '/api/releases/:id/revoke', tag: 'releases', summary: 'Revoke a release, with a reason', role: 'publisher',
      params: Id, body: z.object({ reason: z.string().min(3).max(1000) }),
      handler: async (c, { params, body }) => { const r = await revokeRelease(svc, params.id, body.reason); changed(); return c.json(r); } }),
  ];
}
