import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { PRODUCT_ID } from '../../store/products.ts';
import { CHANNELS } from '../../store/releases.ts';
import { buildToPublish } from '../../worker/handlers.ts';
import { JobView } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const Id = z.object({ id: z.uuid() });
const Filter = z.object({
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  kind: text({ max: 64 }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const PublishBody = z.strictObject({
  build: z.uuid().describe('id of a succeeded build job of this service (POST /api/products/:id/builds)'),
  product: text({ max: 63 }).regex(PRODUCT_ID).optional(), channel: z.enum(CHANNELS).default('testing'),
});
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export function jobRoutes(svc: ReleaseServices, o: { pollMs: number; maxStreams: number }): RouteDef[] {
  // Each open stream is a polling loop against the database: a bound keeps a client from opening thousands.
  let openStreams = 0;
  const need = async (id: string) => {
    const job = await svc.queue.get(id);
    if (!job) throw new AppError('job.not_found', `no job with id ${id}`, { kind: 'not_found', hint: 'list jobs with GET /api/jobs' });
    return job;
  };
  return [
    route({ method: 'get', path: '/api/jobs', tag: 'jobs', summary: 'List jobs, newest first', role: 'viewer', query: Filter, response: z.object({ jobs: z.array(JobView) }),
      handler: async (c, { query }) => c.json({ jobs: await svc.queue.list(query) }) }),
    route({ method: 'get', path: '/api/jobs/:id', tag: 'jobs', summary: 'One job', role: 'viewer', params: Id, response: JobView,
      handler: async (c, { params }) => c.json(await need(params.id)) }),
    // publisher, not contributor: jobs do not record who asked for them, and a contributor must not be able
    // to stop someone else's build or a template's check
    route({ method: 'post', path: '/api/jobs/:id/cancel', tag: 'jobs', summary: 'Cancel a queued or running job', role: 'publisher', params: Id, response: JobView,
      handler: async (c, { params }) => c.json(await svc.queue.cancel(params.id)) }),
    route({ method: 'post', path: '/api/publish', tag: 'jobs', role: 'publisher',
      summary: 'Publish the output of a succeeded build job of this service as a release (a job); no server path is ever taken',
      body: PublishBody, response: JobView, status: 202,
      handler: async (c, { body }) => {
        // checked now for a quick answer, and again by the job (authoritative)
        await buildToPublish(svc, '', body.build);
        return c.json(await svc.queue.enqueue('publish', { v: 2, ...body }), 202);
      } }),
    route({ method: 'get', path: '/api/jobs/:id/events', tag: 'jobs', produces: 'text/event-stream', role: 'viewer', params: Id,
      summary: 'Progress and log lines as server-sent events (resume with Last-Event-ID); ends when the job does',
      handler: async (c, { params }) => {
        await need(params.id);
        let after = Number(c.req.header('last-event-id') ?? 0) || 0;
        if (openStreams >= o.maxStreams) {
          throw new AppError('api.too_many_streams', `${o.maxStreams} job event streams are open already`, {
            kind: 'rate_limited', hint: 'close another stream, or poll GET /api/jobs/:id; try again in a moment',
          });
        }
        openStreams++;
        let held = true;
        const release = () => { if (held) { held = false; openStreams--; } };
        return streamSSE(c, async (stream) => {
          let open = true;
          stream.onAbort(() => { open = false; release(); });
          try {
            // Polling the table (not an in-process bus) follows jobs run by workers on other machines too.
            // State changes come from the job row, announced when they differ from what this stream last said.
            let said = '';
            while (open) {
              const job = await svc.queue.get(params.id);
              const state = job ? `${job.state}/${job.attempts}` : 'gone';
              if (job && state !== said) {
                said = state;
                await stream.writeSSE({ event: 'state', data: JSON.stringify({ state: job.state, attempt: job.attempts, worker: job.workerId ?? undefined }) });
              }
              for (const e of await svc.queue.events(params.id, after)) {
                await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify({ at: e.at, ...asObject(e.data) }) });
                after = e.id;
              }
              if (!job || FINISHED.has(job.state)) {
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ state: job?.state, error: job?.error ?? undefined, result: job?.result ?? undefined }) });
                return;
              }
              await stream.sleep(o.pollMs);
            }
          } finally {
            release();
          }
        });
      } }),
  ];
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}
