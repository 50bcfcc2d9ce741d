import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { promoteRelease, revokeRelease } from '../../release/release-actions.ts';
import { diffPackages } from '../../release/package-diff.ts';
import { republish } from '../../release/republish.ts';
import { securityFixes } from '../../release/security-fixes.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { listArtifacts } from '../../store/artifacts.ts';
import { recordAudit } from '../../store/audit.ts';
import { listCloudImages, recordCloudImage } from '../../store/cloud-images.ts';
import { getReleaseChangelog } from '../../store/release-changelogs.ts';
import { CHANNELS, getRelease, listReleases } from '../../store/releases.ts';
import { ArtifactView, CloudImageView, JobView, PackageRefView, ReleaseView } from '../response-schemas.ts';
import { liveJob } from '../../queue/live-job.ts';
import { targetNamed } from '../../release/cloud-targets.ts';
import { TARGET_KINDS } from '../../release/target-kinds.ts';
import { publicationSteps, publicationTargets } from '../../store/cloud-publications.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const Id = z.object({ id: z.uuid() });
const Filter = z.object({
  product: text({ max: 63 }).optional(),
  channel: z.enum(CHANNELS).optional(),
  state: z.enum(['pending', 'published', 'failed']).optional(),
});

const CloudImageInput = z.object({
  arch: text({ max: 32 }).regex(/^[a-z0-9_]+$/),
  platform: text({ max: 32 }).regex(/^[a-z0-9-]+$/),
  region: text({ max: 64 }).regex(/^[a-z0-9-]+$/),
  imageId: text({ min: 1, max: 200 }),
});

const ReleaseDetail = ReleaseView.extend({
  artifacts: z.array(ArtifactView.extend({ url: z.string().describe('download path on this server'), signatureUrl: z.string() })),
  cloudImages: z.array(CloudImageView),
});
const ReleaseRef = z.object({ id: z.uuid(), version: z.string(), recipeDigest: z.string() });
const ReleaseDiff = z.object({
  from: ReleaseRef,
  to: ReleaseRef,
  packages: z.object({
    added: z.array(PackageRefView),
    removed: z.array(PackageRefView),
    changed: z.array(z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string() })),
  }),
  securityFixes: z.array(z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string(), update: z.string().describe('e.g. deb13u2') }))
    .describe('upgrades to a Debian stable-update revision (+deb13u2) the old version did not carry: security advisories use these, and so do point releases (src/release/security-fixes.ts)'),
});

const Entry = z.object({ version: z.string(), distribution: z.string(), urgency: z.string(), date: z.string().optional(), cves: z.array(z.string()), text: z.string() });
const Pkg = z.object({ name: z.string(), arch: z.string(), version: z.string() });
export const ChangelogSummaryView = z.object({
  against: z.object({ id: z.uuid(), version: z.string() }).optional().describe('the release compared with: the newest published one when this was published; absent for a first release'),
  added: z.number().int(), removed: z.number().int(), upgraded: z.number().int(), downgraded: z.number().int(),
  security: z.number().int().describe('upgrades whose changelog entries were uploaded to a security suite'),
  cves: z.array(z.string()),
});
const ReleaseChangelogView = z.object({
  schemaVersion: z.literal(1),
  summary: ChangelogSummaryView,
  added: z.array(Pkg), removed: z.array(Pkg),
  upgraded: z.array(z.object({
    name: z.string(), arch: z.string(), from: z.string(), to: z.string(), source: z.string().optional(), security: z.boolean(), cves: z.array(z.string()),
    entries: z.array(Entry).describe("the new package's own Debian changelog entries after the old version"),
    missing: z.string().optional().describe('why there are no entries'),
  })),
  downgraded: z.array(z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string() })),
});

const PublicationStepView = z.object({
  step: z.string(), region: z.string(), status: z.enum(['done', 'failed']), result: z.record(z.string(), z.unknown()),
  error: z.string().nullable(), attempts: z.number().int(), updatedAt: z.string(),
});

export function releaseRoutes(svc: ReleaseServices, changed: () => void): RouteDef[] {
  const need = async (id: string) => {
    const r = await getRelease(svc.store.db, id);
    if (!r) throw new AppError('release.not_found', `no release with id ${id}`, { kind: 'not_found', hint: 'list releases with GET /api/releases' });
    return r;
  };
  return [
    route({ method: 'get', path: '/api/releases', tag: 'releases', summary: 'List releases, newest first', query: Filter, response: z.object({ releases: z.array(ReleaseView) }),
      handler: async (c, { query }) => c.json({ releases: await listReleases(svc.store.db, { productId: query.product, channel: query.channel, state: query.state }) }) }),
    route({ method: 'get', path: '/api/releases/:id', tag: 'releases', summary: 'A release with its artifacts, cloud images and package manifest', params: Id, response: ReleaseDetail,
      handler: async (c, { params }) => {
        const r = await need(params.id);
        const artifacts = (await listArtifacts(svc.store.db, [r.id])).map((a) => ({ ...a, url: `/artifacts/${a.location}`, signatureUrl: `/artifacts/${a.signature}` }));
        return c.json({ ...r, artifacts, cloudImages: await listCloudImages(svc.store.db, [r.id]) });
      } }),
    route({ method: 'get', path: '/api/releases/:id/diff', tag: 'releases', summary: 'Package changes since another release (?from=ID)',
      params: Id, query: z.object({ from: z.uuid() }), response: ReleaseDiff,
      handler: async (c, { params, query }) => {
        const [to, from] = await Promise.all([need(params.id), need(query.from)]);
        const packages = diffPackages(from.packages, to.packages);
        return c.json({ from: { id: from.id, version: from.version, recipeDigest: from.recipeDigest }, to: { id: to.id, version: to.version, recipeDigest: to.recipeDigest }, packages, securityFixes: securityFixes(packages) });
      } }),
    route({ method: 'get', path: '/api/releases/:id/changelog', tag: 'releases',
      summary: 'What changed since the previous release: packages added, removed, upgraded, with changelog entries, security marks and CVE ids',
      params: Id, response: ReleaseChangelogView,
      handler: async (c, { params }) => {
        const r = await need(params.id);
        const changelog = r.state === 'published' ? await getReleaseChangelog(svc.store.db, r.id) : undefined;
        if (!changelog) {
          throw new AppError('release.no_changelog', r.state === 'published' ? `release ${r.version} of ${r.productId} was published before releases kept a changelog` : `release ${params.id} is not published`, {
            kind: 'not_found', hint: `compare its packages with another release: GET /api/releases/${r.id}/diff?from=ID`,
          });
        }
        return c.json(changelog as z.infer<typeof ReleaseChangelogView>);
      } }),
    route({ method: 'post', path: '/api/releases/:id/publish-cloud', tag: 'releases', role: 'publisher', status: 202,
      summary: 'Queue the publication of a release to a cloud target of the targets file (resumes where an earlier one stopped)',
      params: Id, body: z.strictObject({ target: text({ max: 63 }).regex(/^[a-z][a-z0-9-]*$/) }), response: JobView,
      handler: async (c, { params, body, who }) => {
        const r = await need(params.id);
        if (r.state !== 'published' || r.revokedAt) {
          throw new AppError('cloud.unpublished', `release ${r.productId} ${r.version} is ${r.revokedAt ? 'revoked' : r.state}`, { kind: 'conflict', hint: 'only published, unrevoked releases go to clouds' });
        }
        // the target must be declared (and its settings valid) before a job is queued for it
        targetNamed(svc.targetsFile ?? '', TARGET_KINDS, body.target);
        // one publication of a release to a target at a time: a second would race the first's create steps
        const same = await liveJob(svc.queue, 'publish-cloud', (p) => p.release === r.id && p.target === body.target);
        if (same) throw new AppError('cloud.in_flight', `release ${r.version} is already being published to ${body.target} (job ${same.id}, ${same.state})`, { kind: 'conflict', hint: `follow it with GET /api/jobs/${same.id}` });
        const job = await svc.queue.enqueue('publish-cloud', { v: 1, release: r.id, target: body.target });
        await recordAudit(svc.store.db, { actor: who!.name, action: 'release_publish_cloud', subject: r.id, detail: { target: body.target, job: job.id, via: who!.via } });
        return c.json(job, 202);
      } }),
    route({ method: 'get', path: '/api/releases/:id/publications', tag: 'releases', role: 'viewer',
      summary: "Where a release's cloud publications stand: each target's steps, done or failed, with what they recorded",
      params: Id, response: z.object({ targets: z.array(z.object({ target: z.string(), steps: z.array(PublicationStepView) })) }),
      handler: async (c, { params }) => {
        const r = await need(params.id);
        const targets = await publicationTargets(svc.store.db, r.id);
        return c.json({ targets: await Promise.all(targets.map(async (target) => ({ target, steps: await publicationSteps(svc.store.db, r.id, target) }))) });
      } }),
    route({ method: 'post', path: '/api/releases/:id/cloud-images', tag: 'releases', summary: 'Record an uploaded cloud image (write-once per platform, region and architecture)', role: 'publisher',
      params: Id, body: CloudImageInput, response: z.array(CloudImageView), status: 201,
      handler: async (c, { params, body }) => {
        const r = await need(params.id);
        await republish(svc.store, await svc.signer(), svc.feed, (tx) => recordCloudImage(tx, { releaseId: r.id, ...body }));
        changed();
        return c.json(await listCloudImages(svc.store.db, [r.id]), 201);
      } }),
    route({ method: 'post', path: '/api/releases/:id/promote', tag: 'releases', summary: 'Move a release to another channel (testing → stable)', role: 'publisher',
      params: Id, body: z.object({ to: z.enum(CHANNELS) }), response: ReleaseView,
      handler: async (c, { params, body, who }) => {
        const r = await promoteRelease(svc, params.id, body.to);
        changed();
        await recordAudit(svc.store.db, { actor: who!.name, action: 'release_promoted', subject: params.id, detail: { to: body.to, via: who!.via } });
        return c.json(r);
      } }),
    route({ method: 'post', path: '/api/releases/:id/revoke', tag: 'releases', summary: 'Revoke a release, with a reason', role: 'publisher',
      params: Id, body: z.object({ reason: text({ min: 3, max: 1000 }) }), response: ReleaseView,
      handler: async (c, { params, body, who }) => {
        const r = await revokeRelease(svc, params.id, body.reason);
        changed();
        await recordAudit(svc.store.db, { actor: who!.name, action: 'release_revoked', subject: params.id, detail: { reason: body.reason, via: who!.via } });
        return c.json(r);
      } }),
  ];
}
