import { Hono } from 'hono';
import type { ReleaseServices } from '../release/services.ts';
import { DocumentCache } from './document-cache.ts';
import { errorResponse, notFoundResponse } from './http-errors.ts';
import { allowAll, type Authorize } from './roles.ts';
import { mountRoutes, openApiDocument, route, type RouteDef } from './route-table.ts';
import { downloadRoutes } from './routes/downloads.ts';
import { jobRoutes } from './routes/jobs.ts';
import { productRoutes } from './routes/products.ts';
import { releaseRoutes } from './routes/releases.ts';

export interface AppOptions {
  authorize?: Authorize;
  dataDir?: string;
  keysDir?: string;
  /** How often SSE streams poll for new job events. */
  eventPollMs?: number;
  documentTtlMs?: number;
}

/** The HTTP API as a Hono app, without listening: tests call `app.request()`, `herd serve` listens. */
export function createApp(svc: ReleaseServices, o: AppOptions = {}): Hono {
  const app = new Hono();
  const docs = new DocumentCache(svc.store, o.documentTtlMs);
  const routes: RouteDef[] = [
    route({ method: 'get', path: '/api/health', tag: 'service', summary: 'Liveness and database reachability',
      handler: async (c) => { await svc.queue.list({ limit: 1 }); return c.json({ ok: true }); } }),
    ...productRoutes(svc),
    ...releaseRoutes(svc, () => docs.clear()),
    ...jobRoutes(svc, { pollMs: o.eventPollMs ?? 250 }),
    ...downloadRoutes(svc, docs, o),
  ];
  const spec = openApiDocument(
    [...routes, route({ method: 'get', path: '/api/openapi.json', tag: 'service', summary: 'This document', handler: (c) => c.json(spec) })],
    { title: 'Herd release service', version: '1' },
  );
  app.get('/api/openapi.json', (c) => c.json(spec));
  mountRoutes(app, routes, o.authorize ?? allowAll);
  app.notFound(notFoundResponse);
  app.onError((e, c) => errorResponse(e, c));
  return app;
}
