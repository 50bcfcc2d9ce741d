import { Hono } from 'hono';
import { z } from 'zod';
import type { Authenticate } from '../auth/authenticate.ts';
import { serviceAuthenticator } from '../auth/session-authenticate.ts';
import type { ReleaseServices } from '../release/services.ts';
import { browserSafety } from './browser-safety.ts';
import { DocumentCache } from './document-cache.ts';
import { errorResponse, notFoundResponse } from './http-errors.ts';
import { mountRoutes, openApiDocument, route, type RouteDef } from './route-table.ts';
import { homeRenderer } from './home-render.ts';
import { HOME_PAGE_PRELOADS, portalPages } from './portal-pages.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { recipeSchemaRoutes } from './routes/recipe-schema.ts';
import { downloadRoutes } from './routes/downloads.ts';
import { jobRoutes } from './routes/jobs.ts';
import { jobOutputRoutes } from './routes/job-outputs.ts';
import { productRoutes } from './routes/products.ts';
import { releaseInsightRoutes } from './routes/release-insights.ts';
import { releaseRoutes } from './routes/releases.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { accountRoutes } from './routes/accounts.ts';
import { sessionRoutes, type SessionRouteOptions } from './routes/session.ts';
import { libraryRoutes } from './routes/library.ts';
import type { LibraryOptions } from '../library/library.ts';

export interface AppOptions {
  /** Who the caller is; defaults to API tokens (Authorization: Bearer), then the portal session cookie. */
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
  /** Validate every JSON answer against its route's response schema; default: on when HERD_CHECK_RESPONSES=1 (the test script sets it). */
  checkResponses?: boolean;
  /** The built portal (web/dist by default; `npm run build:web`). */
  portalDir?: string;
  /** Sign-in rate limits (tests lower them). */
  session?: SessionRouteOptions;
  /** Template library submission rate limit (tests lower it). */
  library?: LibraryOptions;
}

/** Every API route, as data (the route constructors only close over `svc`: the document needs no service). */
export function routeTable(svc: ReleaseServices, o: AppOptions = {}, docs = new DocumentCache(svc.store, o.documentTtlMs)): RouteDef[] {
  const routes: RouteDef[] = [
    route({ method: 'get', path: '/api/health', tag: 'service', summary: 'Liveness and database reachability', response: z.object({ ok: z.literal(true) }),
      handler: async (c) => { await svc.queue.list({ limit: 1 }); return c.json({ ok: true as const }); } }),
    ...productRoutes(svc),
    ...catalogRoutes(svc),
    ...recipeSchemaRoutes(),
    ...releaseRoutes(svc, () => docs.clear()),
    ...releaseInsightRoutes(svc),
    ...jobRoutes(svc, { pollMs: o.eventPollMs ?? 250, maxStreams: o.maxEventStreams ?? 64 }),
    ...jobOutputRoutes(svc, { dataDir: o.dataDir }),
    ...tokenRoutes(svc),
    ...sessionRoutes(svc, o.session),
    ...accountRoutes(svc),
    ...libraryRoutes(svc, o.library),
    ...downloadRoutes(svc, docs, o),
  ];
  return [...routes, route({ method: 'get', path: '/api/openapi.json', tag: 'service', summary: 'This document', handler: (c) => c.json(apiDocument(routes)) })];
}

/** The OpenAPI document of a route table (web/src/api/schema.d.ts is generated from it: `npm run gen:api-types`). */
export function apiDocument(routes: RouteDef[]) {
  return openApiDocument(routes.filter((r) => r.path !== '/api/openapi.json'), { title: 'Herd release service', version: '1' });
}

/** The HTTP API and the portal as a Hono app, without listening: tests call `app.request()`, `herd serve` listens. */
export function createApp(svc: ReleaseServices, o: AppOptions = {}): Hono {
  const app = new Hono();
  const docs = new DocumentCache(svc.store, o.documentTtlMs);
  const authenticate = o.authenticate ?? serviceAuthenticator(svc.store);
  const routes = routeTable(svc, o, docs);
  app.use('*', browserSafety({ publicUrl: () => svc.feed.publicUrl, allowedHosts: o.allowedHosts, corsOrigins: o.corsOrigins }));
  mountRoutes(app, routes, authenticate, { checkResponses: o.checkResponses ?? process.env.HERD_CHECK_RESPONSES === '1' });
  // the home page is rendered from the app's own answers to the client's requests, so it shows what the API says
  const renderHome = homeRenderer({
    fetchData: () => Promise.all(HOME_PAGE_PRELOADS.map(async (path) => {
      const res = await app.request(`http://localhost${path}`);
      if (!res.ok) throw new Error(`${path} answered ${res.status}`);
      return res.json() as Promise<unknown>;
    })),
    onError: (e) => process.stderr.write(`herd serve: the home page is served unrendered: ${(e as Error)?.stack ?? String(e)}\n`),
    ttlMs: o.documentTtlMs,
  });
  docs.onClear(renderHome.forget);
  app.get('*', portalPages({ dir: o.portalDir, renderHome }));
  app.notFound(notFoundResponse);
  app.onError((e, c) => errorResponse(e, c));
  return app;
}
