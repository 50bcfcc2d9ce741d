import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { Manifest } from '../../manifest/manifest-schema.ts';
import type { Job } from '../../queue/queue.ts';
import { contentTypeFor } from '../../release/platforms.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { CHANNELS, getRelease } from '../../store/releases.ts';
import { BuildFiles, isOutputName } from '../build-files.ts';
import { parseRange } from '../byte-range.ts';
import { noneMatch, rangeStillValid } from '../conditional.ts';
import { JobProgressView, summarizeProgress } from '../job-progress.ts';
import { route, type RouteDef } from '../route-table.ts';

/**
 * What the builds dashboard shows of a job beyond its row: where it is, and for a build job its output
 * folder (image files, QA record, release), its QA report and serial logs. Files are looked up from the
 * job record only (`<dataDir>/builds/<job id>`, see BuildFiles): no request names a path.
 */
const Id = z.object({ id: z.uuid() });
// any name reaches the handler, which serves only what the manifest lists: a refused name is not found, not malformed
const OutputFile = z.object({ id: z.uuid(), file: z.string().min(1).max(255) });
const MANIFEST_MAX = 4 * 1024 * 1024;
const REPORT_MAX = 4 * 1024 * 1024;
const SERIAL_TAIL = 256 * 1024;

const BuildView = z.object({
  job: z.uuid(),
  present: z.boolean().describe('false while the build runs, after it failed, or when another machine ran it'),
  name: z.string().optional(),
  version: z.string().optional(),
  architecture: z.string().optional(),
  outputs: z.array(z.object({ file: z.string(), format: z.string(), platform: z.string().optional(), size: z.number().int(), sha256: z.string() })),
  qa: z.object({ passed: z.boolean(), scope: z.string().optional(), testedAt: z.string(), failed: z.array(z.string()) }).nullable(),
  hasQaReport: z.boolean(),
  release: z.object({ id: z.uuid(), productId: z.string(), version: z.string(), channel: z.enum(CHANNELS), state: z.string(), revoked: z.boolean() }).nullable(),
});

/** qa/report.json as src/qa writes it (QaReport), read leniently: a field this herd does not know is dropped. */
const StoredCheck = z.object({
  id: z.string(), title: z.string(), phase: z.string(), status: z.enum(['pass', 'fail', 'skip', 'error']),
  findings: z.array(z.object({ message: z.string(), path: z.string().optional() })).default([]),
  reason: z.string().optional(), durationMs: z.number(),
});
const StoredBoot = z.object({
  firmware: z.enum(['bios', 'uefi']), accel: z.string(), accelSource: z.string().optional(),
  accelFallback: z.object({ from: z.string(), reason: z.string() }).optional(),
  secondsToLoginPrompt: z.number().optional(), secondsToSsh: z.number().optional(),
  secondsToCloudInitDone: z.number().optional(), cloudInitAnalyzeTotal: z.number().optional(),
});
const StoredReport = z.object({
  reportVersion: z.literal(1), image: z.string(), startedAt: z.string(), durationMs: z.number(), passed: z.boolean(),
  results: z.array(StoredCheck), boots: z.array(StoredBoot).default([]),
  subject: z.object({ file: z.string(), sha256: z.string() }).optional(),
});
const LogTail = z.object({ text: z.string(), bytes: z.number().int(), truncated: z.boolean().describe('true when only the end of the log is sent') });
const QaReportView = StoredReport.extend({
  job: z.uuid(),
  image: z.string().describe('the file name of the image tested'),
  boots: z.array(StoredBoot.extend({ serialLog: LogTail.nullable() })),
});

export function jobOutputRoutes(svc: ReleaseServices, o: { dataDir?: string }): RouteDef[] {
  const files = new BuildFiles(o.dataDir);
  const needBuild = async (id: string): Promise<Job> => {
    const job = await svc.queue.get(id);
    if (!job) throw new AppError('job.not_found', `no job with id ${id}`, { kind: 'not_found', hint: 'list jobs with GET /api/jobs' });
    if (job.kind !== 'build') throw new AppError('job.not_a_build', `job ${id} is a ${job.kind} job, not a build`, { kind: 'not_found', hint: 'list build jobs with GET /api/jobs?kind=build' });
    return job;
  };
  /** The job's manifest as the build wrote it, or undefined (absent, not contained, too big, not a manifest). */
  const manifestOf = async (job: Job) => {
    const text = await files.read(job.id, 'manifest.json', { maxBytes: MANIFEST_MAX });
    const m = text && !text.truncated ? Manifest.safeParse(safeJson(text.text)) : undefined;
    return m?.success ? m.data : undefined;
  };
  return [
    route({ method: 'get', path: '/api/jobs/:id/progress', tag: 'jobs', role: 'viewer', params: Id, response: JobProgressView,
      summary: 'Where a job is: its phase, steps done of the plan, QA checks so far and its last log line',
      handler: async (c, { params }) => {
        if (!(await svc.queue.get(params.id))) throw new AppError('job.not_found', `no job with id ${params.id}`, { kind: 'not_found', hint: 'list jobs with GET /api/jobs' });
        return c.json(summarizeProgress(await svc.queue.events(params.id)));
      } }),
    route({ method: 'get', path: '/api/jobs/:id/build', tag: 'jobs', role: 'viewer', params: Id, response: BuildView,
      summary: 'A build job\'s output: image files with sizes and digests, its QA verdict and the release it became',
      handler: async (c, { params }) => {
        const job = await needBuild(params.id);
        const [view, report, release] = await Promise.all([
          manifestOf(job),
          files.read(job.id, 'qa/report.json', { maxBytes: 1 }),
          releaseOf(svc, job),
        ]);
        return c.json({
          job: job.id, present: !!view, name: view?.name, version: view?.version, architecture: view?.architecture,
          // only names that can be downloaded (the manifest schema allows no other, this says so where it matters):
          // the portal builds links and `sha256sum -c` lines from them
          outputs: (view?.outputs ?? []).filter((x) => isOutputName(x.file)).map((x) => ({ file: x.file, format: x.format, platform: x.platform, size: x.size, sha256: x.sha256 })),
          qa: view?.qa ? { passed: view.qa.passed, scope: view.qa.scope, testedAt: view.qa.testedAt, failed: view.qa.failed } : null,
          hasQaReport: !!report,
          release,
        });
      } }),
    route({ method: 'get', path: '/api/jobs/:id/outputs/:file', tag: 'jobs', role: 'viewer', params: OutputFile, produces: 'application/octet-stream',
      summary: 'Download an image file a build job wrote, published or not (one its manifest lists; Range, If-Range and If-None-Match supported)',
      handler: async (c, { params }) => {
        const job = await needBuild(params.id);
        const absent = () => new AppError('job.output_not_found', `build job ${job.id} has no output file "${params.file}" on this server`, {
          kind: 'not_found', hint: `GET /api/jobs/${job.id}/build lists the files this server holds for the build (a worker on another machine keeps its own)`,
        });
        // the manifest names what may be served; the name must still be a plain file name of the job's folder
        const listed = (await manifestOf(job))?.outputs.find((x) => x.file === params.file);
        if (!listed || !isOutputName(listed.file)) throw absent();
        const file = await files.openOutput(job.id, listed.file);
        if (!file) throw absent();
        // the ETag is the digest the manifest recorded; a file whose size no longer matches is not that content
        const etag = `"sha256-${listed.sha256}"`;
        if (file.size !== listed.size) {
          await file.close();
          // the message names no size: what is on disk now is not what the caller was allowed to read
          throw new AppError('job.output_changed', `${listed.file} of build job ${job.id} is no longer the file its manifest describes`, {
            kind: 'conflict', hint: 'the output folder was changed after the build; rebuild, or check it with `sha256sum -c SHA256SUMS` in that folder',
          });
        }
        const headers: Record<string, string> = {
          'content-type': contentTypeFor(listed.file), etag, 'accept-ranges': 'bytes', 'last-modified': file.modified.toUTCString(),
          'content-disposition': `attachment; filename="${listed.file}"`, 'x-content-type-options': 'nosniff',
          // behind a role: no shared cache keeps it, and the browser asks again (the ETag makes that cheap)
          'cache-control': 'private, no-cache',
        };
        if (noneMatch(c.req.header('if-none-match'), etag)) { await file.close(); return c.body(null, 304, headers); }
        const range = rangeStillValid(c.req.header('if-range'), etag, file.modified) ? parseRange(c.req.header('range'), file.size) : undefined;
        if (range === 'unsatisfiable') { await file.close(); return c.body(null, 416, { ...headers, 'content-range': `bytes */${file.size}` }); }
        headers['content-length'] = String(range ? range.end - range.start + 1 : file.size);
        if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${file.size}`;
        // Hono answers HEAD through this GET route: no body, so nothing is read
        if (c.req.method === 'HEAD') { await file.close(); return c.body(null, range ? 206 : 200, headers); }
        // streamed from the checked descriptor: an image of several GB never sits in memory
        return c.body(Readable.toWeb(file.stream(range)) as ReadableStream, range ? 206 : 200, headers);
      } }),
    route({ method: 'get', path: '/api/jobs/:id/qa', tag: 'jobs', role: 'viewer', params: Id, response: QaReportView,
      summary: 'A build job\'s QA report: every check with its findings, boot figures and the end of each serial console log',
      handler: async (c, { params }) => {
        const job = await needBuild(params.id);
        const stored = await files.read(job.id, 'qa/report.json', { maxBytes: REPORT_MAX });
        const parsed = stored && !stored.truncated ? StoredReport.safeParse(safeJson(stored.text)) : undefined;
        if (!parsed?.success) {
          throw new AppError('job.no_qa_report', `build job ${job.id} has no QA report on this server`, {
            kind: 'not_found', hint: job.state === 'succeeded' || job.state === 'failed'
              ? 'the build ran without QA (qa: none), failed before QA, or ran on another machine (its report is in that worker\'s builds folder)'
              : `the build is ${job.state}; its QA report appears once QA has run`,
          });
        }
        const r = parsed.data;
        const boots = await Promise.all(r.boots.map(async (b) => ({
          ...b, serialLog: (await files.read(job.id, `qa/serial-${b.firmware}.log`, { maxBytes: SERIAL_TAIL, tail: true })) ?? null,
        })));
        // the report names the image by its path on the build machine; the dashboard needs only its name
        return c.json({ ...r, job: job.id, image: basename(r.image), boots });
      } }),
  ];
}

async function releaseOf(svc: ReleaseServices, job: Job): Promise<z.infer<typeof BuildView>['release']> {
  const id = (job.result as { releaseId?: unknown } | null)?.releaseId;
  const r = typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? await getRelease(svc.store.db, id) : undefined;
  return r ? { id: r.id, productId: r.productId, version: r.version, channel: r.channel, state: r.state, revoked: !!r.revokedAt } : null;
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
