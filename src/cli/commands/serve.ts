import type { Command } from 'commander';
import { startServer } from '../../api/server.ts';
import { collectGarbage, formatGcReport } from '../../release/gc.ts';
import { openServices } from '../../release/open-services.ts';
import { parsePort, parsePositive, type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** Resolves on SIGINT/SIGTERM, so commands shut down cleanly (finish the job in hand, close the database). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => resolve(s);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

/** `herd serve`: the API, the feeds, downloads and (by default) an embedded worker. */
export function registerServe(program: Command): void {
  withServiceOptions(program.command('serve'))
    .description('run the release service: HTTP API, feeds, downloads and a worker')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 8080)
    .option('--no-worker', 'do not run jobs in this process (run `herd worker` elsewhere)')
    .option('--heartbeat-timeout <seconds>', 'retry a job whose worker sent no heartbeat for this long', parsePositive('--heartbeat-timeout'), 60)
    .action(async (o: RawServiceOptions & { host: string; port: number; worker: boolean; heartbeatTimeout: number }) => {
      const opts = serviceOptions(o);
      const svc = await openServices(opts);
      // what publishes killed before this start left behind (stale pending releases, partial uploads)
      const gc = await collectGarbage(svc);
      if (gc.releases.length || gc.partialUploads.length) process.stdout.write(formatGcReport(gc) + '\n');
      const staleAfterMs = o.heartbeatTimeout * 1000;
      const server = await startServer(svc, {
        host: o.host, port: o.port, dataDir: opts.dataDir, keysDir: opts.keysDir, worker: o.worker,
        staleAfterMs, heartbeatMs: Math.max(100, Math.min(5000, staleAfterMs / 4)),
      });
      // Feeds link to where this server listens unless the operator named a public URL (a proxy or CDN).
      if (!o.publicUrl) svc.feed.publicUrl = server.url;
      process.stdout.write(`herd serve: listening on ${server.url} (data ${opts.dataDir}${o.worker ? ', embedded worker' : ''})\n`);
      const signal = await untilSignal();
      process.stdout.write(`herd serve: ${signal}, finishing the job in hand\n`);
      await server.close();
      await svc.close();
    });
}
