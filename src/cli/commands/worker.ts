import type { Command } from 'commander';
import { AppError } from '../../errors.ts';
import { openServices } from '../../release/open-services.ts';
import { releaseHandlers } from '../../worker/handlers.ts';
import { Worker } from '../../worker/worker.ts';
import { untilSignal } from './serve.ts';
import { parsePositive, type RawServiceOptions, serviceOptions, withServiceOptions } from './service-options.ts';

/** `herd worker`: claims and runs jobs from a shared database (PostgreSQL when on several machines). */
export function registerWorker(program: Command): void {
  withServiceOptions(program.command('worker'))
    .description('run jobs from the queue')
    .option('--kinds <list>', 'comma-separated job kinds to accept (default: all this worker can run)')
    .option('--concurrency <n>', 'jobs to run at once', parsePositive('--concurrency'), 1)
    .option('--heartbeat-timeout <seconds>', 'retry a job whose worker sent no heartbeat for this long', parsePositive('--heartbeat-timeout'), 60)
    .action(async (o: RawServiceOptions & { kinds?: string; concurrency: number; heartbeatTimeout: number }) => {
      const opts = serviceOptions(o);
      const svc = await openServices(opts);
      const all = releaseHandlers(svc, { buildsDir: `${opts.dataDir}/builds` });
      const wanted = o.kinds ? o.kinds.split(',').map((k) => k.trim()).filter(Boolean) : Object.keys(all);
      const unknown = wanted.filter((k) => !(k in all));
      if (unknown.length) {
        await svc.close();
        throw new AppError('worker.unknown_kind', `no handler for job kind(s): ${unknown.join(', ')}`, { hint: `this worker can run: ${Object.keys(all).join(', ')}` });
      }
      const handlers = Object.fromEntries(wanted.map((k) => [k, all[k]!]));
      const staleAfterMs = o.heartbeatTimeout * 1000;
      const workers = Array.from({ length: Math.floor(o.concurrency) }, () =>
        new Worker({ queue: svc.queue, handlers, staleAfterMs, heartbeatMs: Math.max(100, Math.min(5000, staleAfterMs / 4)) }));
      for (const w of workers) w.start();
      process.stdout.write(`herd worker: ${workers.length} worker(s) running ${wanted.join(', ')}\n`);
      await untilSignal();
      await Promise.all(workers.map((w) => w.stop()));
      await svc.close();
    });
}
