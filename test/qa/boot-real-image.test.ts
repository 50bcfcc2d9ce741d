import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testImage, type QaReport } from '../../src/qa/index.ts';
import { formatBoot } from '../../src/qa/report/table.ts';
import { BAD_SEED } from '../fixtures/qa/bad-seed.ts';

// Boots a real Herd image: HERD_TEST_IMAGE (CI builds one first), else the local base image if it exists.
// Two boots in all (both BIOS: one with a good seed, one with a deliberately bad seed): about 3 minutes under TCG.
const image = process.env.HERD_TEST_IMAGE ?? '/work/img/base/disk.raw';
// When HERD_TEST_IMAGE is set but missing, the tests run and fail loudly (a CI wiring mistake, not a skip).
const skip = process.env.HERD_TEST_IMAGE || existsSync(image)
  ? false
  : `no bootable image: set HERD_TEST_IMAGE to a disk.raw built by herd build (looked for ${image})`;


// Debian 12 stays a supported release: test/build/build.integration.test.ts leaves its disk beside the main one.
const image12 = process.env.HERD_TEST_IMAGE_DEBIAN12 ?? join(dirname(dirname(image)), 'base-debian12', 'disk.raw');
const skip12 = existsSync(image12) ? false : `no Debian 12 image at ${image12} (the integration build makes one; or set HERD_TEST_IMAGE_DEBIAN12)`;

const ids = (r: QaReport, ...status: string[]) =>
  [...new Set(r.results.filter((c) => status.includes(c.status)).map((c) => c.id))].sort();

/** One line per check that did not pass, for assertion messages. */
const summary = (r: QaReport) =>
  r.results.filter((c) => c.status !== 'pass')
    .map((c) => `${c.id} ${c.phase} ${c.status}: ${c.reason ?? c.findings.map((f) => f.message).join('; ')}`).join('\n');

describe('herd test on a real image', { skip }, () => {
  let out: string;
  before(async () => { out = await mkdtemp(join(tmpdir(), 'herd-qa-real-')); });
  after(async () => { await rm(out, { recursive: true, force: true }); });

  it('passes the static audit and the base boot suite (BIOS)', async () => {
    const report = await testImage({ image, outDir: join(out, 'good'), firmware: 'bios', reboot: false });
    const b = report.boots[0];
    // the same line herd test prints; "no boot figures" only when QEMU never started
    console.log(`static audit ${report.staticAuditMs} ms; ${b ? formatBoot(b) : 'no boot figures: QEMU did not start'}`);
    assert.deepEqual(ids(report, 'fail', 'error'), [], summary(report));
    assert.ok(report.passed);
    assert.deepEqual(ids(report, 'pass').filter((id) => id.startsWith('B')), ['B0', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B9']);
    // timings are reported, not judged (speed figures belong in bench/): the boot record must carry them and its accelerator
    assert.equal(b?.firmware, 'bios');
    assert.ok(b?.accel === 'kvm' || b?.accel === 'tcg', `accelerator recorded: ${b?.accel}`);
    assert.ok(Number.isFinite(b?.secondsToSsh) && Number.isFinite(b?.secondsToCloudInitDone), 'SSH and cloud-init times recorded');
  });

  // BIOS: a UEFI boot under TCG once failed to reach SSH within 600 s in CI (1 run in 4), unrelated to the seed;
  // a BIOS boot did the same once (2026-12-02, after the good-seed boot of the same image reached SSH in 61 s).
  // This test is about which checks a bad seed breaks, and none of them is B0 (the seed keeps the SSH key): a
  // guest that never reached SSH is booted once more, saying so, rather than judged on checks it never ran.
  it('fails exactly the boot checks a bad seed breaks (BIOS)', async () => {
    const boot = (attempt: number) => testImage({
      image, outDir: join(out, `bad-${attempt}`), only: 'boot', firmware: 'bios', reboot: false, extraUserData: BAD_SEED,
    });
    let report = await boot(1);
    if (ids(report, 'fail', 'error').includes('B0')) {
      console.log(`bad-seed boot never reached SSH, booting once more: ${summary(report).split('\n').find((l) => l.startsWith('B0'))}`);
      report = await boot(2);
    }
    assert.equal(report.passed, false);
    assert.deepEqual(ids(report, 'fail', 'error'), ['B1', 'B2', 'B4', 'B5', 'B6', 'B7'], summary(report));
    const leak = report.results.find((r) => r.id === 'B6')!;
    assert.ok(leak.findings.some((f) => f.path === '/etc/herd-qa-leak'));
    assert.deepEqual(ids(report, 'pass'), ['B0', 'B3', 'B9']);
  });
});

describe('herd test on a real Debian 12 image', { skip: skip12 }, () => {
  let out: string;
  before(async () => { out = await mkdtemp(join(tmpdir(), 'herd-qa-real12-')); });
  after(async () => { await rm(out, { recursive: true, force: true }); });

  it('passes the static audit and the base boot suite (BIOS)', async () => {
    const report = await testImage({ image: image12, outDir: out, firmware: 'bios', reboot: false });
    const b = report.boots[0];
    console.log(`Debian 12: static audit ${report.staticAuditMs} ms; ${b ? formatBoot(b) : 'no boot figures: QEMU did not start'}`);
    assert.deepEqual(ids(report, 'fail', 'error'), [], summary(report));
    assert.deepEqual(ids(report, 'pass').filter((id) => id.startsWith('B')), ['B0', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B9']);
  });
});
