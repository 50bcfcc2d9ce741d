import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AppError } from '../errors.ts';
import { refreshFeeds } from '../release/release-actions.ts';
import { type RespinScheduler, type RespinSchedulerOptions, startRespinScheduler } from '../release/respin-scheduler.ts';
import type { ReleaseServices } from '../release/services.ts';
import { getDocument } from '../store/documents.ts';
import { releaseHandlers } from '../worker/handlers.ts';
import { Worker } from '../worker/worker.ts';
import { createApp } from './app.ts';

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  keysDir?: string;
  /** Run jobs in this process too (the single-machine default). */
  worker: boolean;
  heartbeatMs?: number;
  staleAfterMs?: number;
  allowedHosts?: string[];
  corsOrigins?: string[];
  maxEventStreams?: number;
  /** The respin scheduler (default: every hour); false runs none (`herd serve --no-respin`). */
  respin?: RespinSchedulerOptions | false;
}

export interface RunningServer { url: string; worker?: Worker; respin?: RespinScheduler; close(): Promise<void> }

/** Listens, starts the embedded worker and the respin scheduler, and keeps feeds from expiring by re-signing them. */
export async function startServer(svc: ReleaseServices, o: ServerOptions): Promise<RunningServer> {
  const app = createApp(svc, { dataDir: o.dataDir, keysDir: o.keysDir, allowedHosts: o.allowedHosts, corsOrigins: o.corsOrigins, maxEventStreams: o.maxEventStreams });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: o.host, port: o.port }, () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new AppError('serve.port_in_use', `${o.host}:${o.port} is already in use`, { hint: 'pick another --port, or stop the other server' })
      : new AppError('serve.listen_failed', `cannot listen on ${o.host}:${o.port}: ${e.message}`, { kind: 'dependency', cause: e })));
  });
  const { port } = server.address() as AddressInfo;
  const worker = o.worker
    ? new Worker({ queue: svc.queue, handlers: releaseHandlers(svc, { buildsDir: `${o.dataDir}/builds` }), heartbeatMs: o.heartbeatMs, staleAfterMs: o.staleAfterMs })
    : undefined;
  worker?.start();
  // A fresh service publishes empty (but signed) feeds, so clients can poll from the first minute.
  if (!(await getDocument(svc.store.db, 'feeds/stable.json'))) {
    await refreshFeeds(svc).catch((e) => process.stderr.write(`herd serve: no feeds yet: ${(e as Error).message}\n`));
  }
  // Re-sign well before expiry (a quarter of the lifetime), only while there is something published.
  const refresh = setInterval(() => {
    refreshFeeds(svc).catch((e) => process.stderr.write(`herd serve: feed refresh failed: ${(e as Error).message}\n`));
  }, Math.max(60_000, svc.feed.feedTtlMs / 4));
  refresh.unref();
  const respin = o.respin === false ? undefined : startRespinScheduler(svc, o.respin);
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    worker,
    respin,
    async close() {
      clearInterval(refresh);
      await respin?.stop();
      await worker?.stop();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
