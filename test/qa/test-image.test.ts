import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testImage, type QaReport } from '../../src/qa/index.ts';
import { buildFixture } from '../fixtures/qa/build-fixture.ts';
import { BREAKAGES } from '../fixtures/qa/broken-fixtures.ts';
import { GOOD_MANIFEST, writeTree } from '../fixtures/qa/good-rootfs.ts';

describe('testImage (the entry point herd build --test uses)', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'herd-qa-entry-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes report.json and junit.xml that agree with the returned report', async () => {
    const disk = await buildFixture(join(dir, 'good'));
    const out = join(dir, 'good-out');
    const report = await testImage({ image: disk, outDir: out, only: 'static' });
    assert.equal(report.passed, true);
    const saved = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as QaReport;
    assert.equal(saved.reportVersion, 1);
    assert.deepEqual(saved.results.map((r) => r.id), report.results.map((r) => r.id));
    assert.match(await readFile(join(out, 'junit.xml'), 'utf8'), /<testsuite name="static" tests="17" failures="0"/);
    // the audit time is recorded (bench/boot.ts holds the speed target; a test must not depend on host load)
    assert.equal(saved.staticAuditMs, report.staticAuditMs);
    assert.equal(typeof saved.staticAuditMs, 'number');
  });

  it('fails the report when one check fails', async () => {
    const disk = await buildFixture(join(dir, 'key'), BREAKAGES.find((b) => b.name === 'baked-host-key'));
    const report = await testImage({ image: disk, outDir: join(dir, 'key-out'), only: 'static' });
    assert.equal(report.passed, false);
  });

  it('does not try to boot an image that cannot read a NoCloud seed', async () => {
    const disk = await buildFixture(join(dir, 'nonc'), BREAKAGES.find((b) => b.name === 'no-nocloud'));
    const report = await testImage({ image: disk, outDir: join(dir, 'nonc-out') });
    const b0 = report.results.find((r) => r.id === 'B0')!;
    assert.equal(b0.status, 'error');
    assert.match(b0.reason!, /NoCloud/);
    assert.deepEqual(report.boots, []);
    assert.equal(report.passed, false);
  });

  it('audits a platform image (ec2) and skips its boot tests with the reason', async () => {
    const ec2 = {
      mutate: (root: string) => writeTree(root, 'etc/cloud/cloud.cfg.d/90-datasources.cfg', 'datasource_list: [ Ec2, None ]\n'),
      name: 'ec2', expect: [],
    };
    const manifest = { ...GOOD_MANIFEST, outputs: [{ format: 'raw', file: 'disk.raw', platform: 'ec2' }] };
    const disk = await buildFixture(join(dir, 'ec2'), ec2, manifest);
    const report = await testImage({ image: disk, outDir: join(dir, 'ec2-out') });
    assert.equal(report.results.find((r) => r.id === 'A16')!.status, 'pass');
    assert.match(report.results.find((r) => r.id === 'B0')!.reason!, /ec2 image .* generic output/);
    assert.equal(report.passed, true);
  });
});
