import { Hono } from 'hono';
import { type Authenticate, tokenAuthenticator } from '../auth/authenticate.ts';
import type { ReleaseServices } from '../release/services.ts';
import { browserSafety } from './browser-safety.ts';
import { DocumentCache } from './document-cache.ts';
import { errorResponse, notFoundResponse } from './http-errors.ts';
import { mountRoutes, openApiDocument, route, type RouteDef } from './route-table.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { downloadRoutes } from './routes/downloads.ts';
import { jobRoutes } from './routes/jobs.ts';
import { productRoutes } from './routes/products.ts';
import { releaseRoutes } from './routes/releases.ts';
import { tokenRoutes } from './routes/tokens.ts';

export interface AppOptions {
  /** Who the caller is; defaults to API tokens in the store (Authorization: Bearer). */
  authenticate?: Authenticate;
  dataDir?: string;
  keysDir?: string;
  /** How often SSE streams poll for new job events. */
  eventPollMs?: number;
  documentTtlMs?: number;
  /** Job event streams open at once, across all clients (each holds a polling loop). */
  maxEventStreams?: number;
  /** Host names served besides the public URL's and loopback (--allowed-host). */
  allowedHosts?: string[];
  /** Browser origins allowed to call the API (--cors-origin); none unless configured. */
  corsOrigins?: string[];
}

/** The HTTP API as a Hono app, without listening: tests call `app.request()`, `herd serve` listens. */
export function createApp(svc: ReleaseServices, o: AppOptions = {}): Hono {
  const app = new Hono();
  const docs = new DocumentCache(svc.store, o.documentTtlMs);
  const routes: RouteDef[] = [
    route({ method: 'get', path: '/api/health', tag: 'service', summary: 'Liveness and database reachability',
      handler: async (c) => { await svc.queue.list({ limit: 1 }); return c.json({ ok: true }); } }),
    ...productRoutes(svc),
    ...catalogRoutes(svc),
    ...releaseRoutes(svc, () => docs.clear()),
    ...jobRoutes(svc, { pollMs: o.eventPollMs ?? 250, maxStreams: o.maxEventStreams ?? 64 }),
    ...tokenRoutes(svc),
    ...downloadRoutes(svc, docs, o),
  ];
  const spec = openApiDocument(
    [...routes, route({ method: 'get', path: '/api/openapi.json', tag: 'service', summary: 'This document', handler: (c) => c.json(spec) })],
    { title: 'Herd release service', version: '1' },
  );
  app.use('*', browserSafety({ publicUrl: () => svc.feed.publicUrl, allowedHosts: o.allowedHosts, corsOrigins: o.corsOrigins }));
  app.get('/api/openapi.json', (c) => c.json(spec));
  mountRoutes(app, routes, o.authenticate ?? tokenAuthenticator(svc.store));
  app.notFound(notFoundResponse);
  app.onError((e, c) => errorResponse(e, c));
  return app;
}
