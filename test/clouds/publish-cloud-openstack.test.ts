import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openServices } from '../../src/release/open-services.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import { listCloudImages } from '../../src/store/cloud-images.ts';
import { getDocument } from '../../src/store/documents.ts';
import { runHerd } from '../release/fixtures/child-process.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { makeServices } from '../release/fixtures/services.ts';
import { glanceInstalled, type GlanceServer, PROJECT, REGION, startGlance, USER } from './glance-server.ts';

const skip = glanceInstalled() ? false : 'glance-api is not installed (scripts/setup-host.sh installs Debian\'s glance package)';

/**
 * `herd publish-cloud` and `herd unpublish-cloud` end to end against Debian's real Glance (behind a Keystone v3
 * stand-in): the targets file, the credentials from clouds.yaml, the runner and the OpenStack adapter together;
 * the image id lands in the release and the signed feed, and a second run does nothing.
 */
describe('herd publish-cloud to OpenStack Glance', { skip }, () => {
  let g: GlanceServer;
  let env: Awaited<ReturnType<typeof makeServices>>;
  let data: string;
  let releaseId: string;
  let cli: NodeJS.ProcessEnv;

  before(async () => {
    g = await startGlance();
    env = await makeServices('herd-publish-cloud-os-');
    data = join(env.dir, 'data');
    // the OpenStack variant: a qcow2 whose cloud-init reads the OpenStack metadata service
    releaseId = (await publishRelease(env.svc, writeBuildOutput(join(env.dir, 'b1'), { name: 'base', version: '2026.12.02.0', formats: ['qcow2', 'openstack'], size: 2 * 1024 * 1024 }))).id;
    await env.svc.close();
    const clouds = join(env.dir, 'clouds.yaml');
    writeFileSync(clouds, `clouds:\n  lab:\n    auth:\n      auth_url: ${g.keystoneUrl}\n      username: ${USER.name}\n      password: ${JSON.stringify(USER.password)}\n`
      + `      project_name: ${PROJECT.name}\n      user_domain_name: ${USER.domain}\n      project_domain_name: ${PROJECT.domain}\n    region_name: ${REGION}\n`);
    writeFileSync(join(data, 'targets.yaml'), 'targets:\n  lab:\n    kind: openstack\n    cloud: lab\n    visibility: shared\n    properties:\n      hw_qemu_guest_agent: "no"\n');
    cli = { PATH: process.env.PATH, HOME: env.dir, OS_CLIENT_CONFIG_FILE: clouds };
  });
  after(async () => {
    await g?.stop();
    await env?.cleanup();
  });

  test('publishes the OpenStack variant; the id is in the release and the feed; again does nothing; unpublish deactivates', async () => {
    const first = await runHerd(['publish-cloud', releaseId, '--target', 'lab', '--data', data, '--json'], { env: cli, timeoutMs: 120_000 });
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { from: string; variant: boolean; format: string; ran: string[]; regions: Array<{ region: string; status: string; imageId: string }> };
    assert.deepEqual([report.from, report.variant, report.format, report.regions.map((r) => [r.region, r.status])], ['openstack', true, 'qcow2', [[REGION, 'published']]]);
    const id = report.regions[0]!.imageId;
    const image = await (await fetch(`${g.directUrl}/v2/images/${id}`, { headers: g.identity() })).json() as Record<string, unknown>;
    assert.deepEqual([image.status, image.disk_format, image.visibility, image.herd_release, image.hw_qemu_guest_agent], ['active', 'qcow2', 'shared', releaseId, 'no']);

    const svc = await openServices({ dataDir: data });
    try {
      assert.deepEqual((await listCloudImages(svc.store.db, [releaseId])).map((i) => [i.platform, i.region, i.imageId]), [['openstack', REGION, id]]);
      const feed = Buffer.from((await getDocument(svc.store.db, 'feeds/testing.json'))!.body).toString('utf8');
      assert.ok(feed.includes(id), 'the signed feed lists the Glance image');
    } finally {
      await svc.close();
    }

    const again = await runHerd(['publish-cloud', releaseId, '--target', 'lab', '--data', data, '--json'], { env: cli, timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { ran: string[] }).ran, []);

    const gone = await runHerd(['unpublish-cloud', releaseId, '--target', 'lab', '--data', data], { env: cli, timeoutMs: 60_000 });
    assert.equal(gone.code, 0, gone.stderr);
    const after = await (await fetch(`${g.directUrl}/v2/images/${id}`, { headers: g.identity() })).json() as Record<string, unknown>;
    assert.equal(after.status, 'deactivated');
  });

  test('a wrong password fails before anything is uploaded, naming where credentials come from; an unknown target lists the declared ones', async () => {
    const bad = join(env.dir, 'bad-clouds.yaml');
    writeFileSync(bad, `clouds:\n  lab:\n    auth:\n      auth_url: ${g.keystoneUrl}\n      username: ${USER.name}\n      password: wrong\n      project_name: ${PROJECT.name}\n`
      + `      user_domain_name: ${USER.domain}\n      project_domain_name: ${PROJECT.domain}\n    region_name: ${REGION}\n`);
    const before = g.log.length;
    const r = await runHerd(['publish-cloud', releaseId, '--target', 'lab', '--data', data], { env: { ...cli, OS_CLIENT_CONFIG_FILE: bad }, timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cloud\.credentials/);
    assert.match(r.stderr, /clouds\.yaml|OS_/);
    assert.equal(g.log.length, before, 'nothing reached Glance');
    const unknown = await runHerd(['publish-cloud', releaseId, '--target', 'nope', '--data', data], { env: cli });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no target "nope".*\n?.*declared: lab/s);
  });
});
