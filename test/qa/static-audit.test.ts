import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { runCommand } from '../../src/backends/host/run-command.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditImage } from '../../src/qa/static/audit-image.ts';
import { staticChecks } from '../../src/qa/static/checks/index.ts';
import { buildFixture } from '../fixtures/qa/build-fixture.ts';
import { BREAKAGES } from '../fixtures/qa/broken-fixtures.ts';

const failing = (results: { id: string; status: string }[]) =>
  results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id).sort();

describe('static audit on fixture images', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'herd-qa-static-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('passes every check on the good image', async () => {
    const { results } = await auditImage(await buildFixture(join(dir, 'good')));
    assert.deepEqual(failing(results), []);
    assert.deepEqual(results.map((r) => r.id), staticChecks.map((c) => c.id));
    assert.ok(results.every((r) => r.status === 'pass'), JSON.stringify(results.filter((r) => r.status !== 'pass')));
  });

  for (const b of BREAKAGES) {
    it(`reports ${b.expect.join(',')} for ${b.name}`, async () => {
      const { results } = await auditImage(await buildFixture(join(dir, b.name), b));
      assert.deepEqual(failing(results), b.expect, JSON.stringify(results.filter((r) => r.findings.length)));
      const hit = results.find((r) => r.id === b.expect[0])!;
      assert.ok(hit.findings.length > 0 && hit.findings.every((f) => f.message.length > 0));
    });
  }

  it('has a broken fixture for every static check', () => {
    const covered = new Set(BREAKAGES.flatMap((b) => b.expect));
    assert.deepEqual(staticChecks.map((c) => c.id).filter((id) => !covered.has(id)), []);
  });

  it('reads a qcow2 image the same way (through a temporary raw copy that is removed)', async () => {
    const disk = await buildFixture(join(dir, 'qcow2'), BREAKAGES.find((b) => b.name === 'baked-host-key'));
    const qcow2 = join(dir, 'qcow2', 'disk.qcow2');
    await runCommand(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', disk, qcow2]);
    await rm(disk);
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('herd-qa-raw-')).length;
    const { results } = await auditImage(qcow2);
    assert.deepEqual(failing(results), ['A1']);
    assert.equal((await readdir(tmpdir())).filter((n) => n.startsWith('herd-qa-raw-')).length, before);
  });

  it('explains a file that is not a disk image', async () => {
    const junk = join(dir, 'junk.raw');
    await writeFile(junk, 'not a disk');
    await assert.rejects(auditImage(junk), (e: any) => e.code === 'qa.no_partition_table' && /GPT/.test(e.hint));
  });

  it('skips the footprint check, not fails it, when there is no manifest', async () => {
    const disk = await buildFixture(join(dir, 'no-manifest'));
    await rm(join(dir, 'no-manifest', 'manifest.json'));
    const { results } = await auditImage(disk);
    assert.equal(results.find((r) => r.id === 'A14')?.status, 'skip');
    assert.deepEqual(failing(results), []);
  });
});
