import type { Command } from 'commander';
import { checkExposure } from '../../api/exposure.ts';
import { startServer } from '../../api/server.ts';
import { parseTimerDuration } from '../../release/duration.ts';
import { collectGarbage, formatGcReport } from '../../release/gc.ts';
import { openServices } from '../../release/open-services.ts';
import { storedPublicUrl, storePublicUrl } from '../../release/public-url.ts';
import { parsePort, parsePositive, type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** Resolves on SIGINT/SIGTERM, so commands shut down cleanly (finish the job in hand, close the database). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => resolve(s);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

const collect = (value: string, list: string[] = []) => [...list, value];

type ServeOpts = RawServiceOptions & {
  host: string; port: number; worker: boolean; heartbeatTimeout: number; allowedHost?: string[]; corsOrigin?: string[]; maxEventStreams: number;
  respin: boolean; respinEvery: number;
};

/** `herd serve`: the API, the feeds, downloads and (by default) an embedded worker. */
export function registerServe(program: Command): void {
  withServiceOptions(program.command('serve'))
    .description('run the release service: HTTP API, feeds, downloads and a worker')
    .option('--host <addr>', 'address to listen on (beyond loopback only once a token exists; see `herd tokens`)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 8080)
    .option('--no-worker', 'do not run jobs in this process (run `herd worker` elsewhere)')
    .option('--heartbeat-timeout <seconds>', 'retry a job whose worker sent no heartbeat for this long', parsePositive('--heartbeat-timeout'), 60)
    .option('--allowed-host <name>', 'also answer to this Host name (besides the public URL\'s and loopback); repeatable', collect)
    .option('--cors-origin <url>', 'let browser pages of this origin call the API (CORS); repeatable; none by default', collect)
    .option('--max-event-streams <n>', 'job event streams open at once', parsePositive('--max-event-streams'), 64)
    .option('--respin-every <duration>', 'how often the respin policy of every released product runs (e.g. 30m, 1h, 1d)', (v: string) => parseTimerDuration(v, '--respin-every'), 3_600_000)
    .option('--no-respin', 'run no respin scheduler in this process (herd respin PRODUCT still works)')
    .action(async (o: ServeOpts) => {
      const opts = serviceOptions(o);
      const svc = await openServices(opts);
      let server;
      try {
        if (opts.publicUrl && (await storePublicUrl(svc.store, opts.publicUrl))) {
          process.stdout.write(`herd serve: public URL set to ${opts.publicUrl} (stored; later commands use it)\n`);
        }
        const stored = await storedPublicUrl(svc.store);
        await checkExposure(svc.store, { host: o.host, publicUrl: stored });
        // what publishes killed before this start left behind (stale pending releases, partial uploads)
        const gc = await collectGarbage(svc);
        if (gc.releases.length || gc.partialUploads.length) process.stdout.write(formatGcReport(gc) + '\n');
        const staleAfterMs = o.heartbeatTimeout * 1000;
        server = await startServer(svc, {
          host: o.host, port: o.port, dataDir: opts.dataDir, keysDir: opts.keysDir, worker: o.worker,
          staleAfterMs, heartbeatMs: Math.max(100, Math.min(5000, staleAfterMs / 4)),
          allowedHosts: o.allowedHost, corsOrigins: o.corsOrigin, maxEventStreams: Math.floor(o.maxEventStreams),
          respin: o.respin && { everyMs: o.respinEvery },
        });
        // Feeds link to where this server listens until the operator stores a public URL (a proxy or CDN).
        if (!stored) svc.feed.publicUrl = server.url;
      } catch (e) {
        await svc.close();
        throw e;
      }
      process.stdout.write(`herd serve: listening on ${server.url} (data ${opts.dataDir}${o.worker ? ', embedded worker' : ''}${o.respin ? `, respins every ${o.respinEvery / 60_000} min` : ''}; feeds link to ${svc.feed.publicUrl})\n`);
      const signal = await untilSignal();
      process.stdout.write(`herd serve: ${signal}, finishing the job in hand\n`);
      await server.close();
      await svc.close();
    });
}
