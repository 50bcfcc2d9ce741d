import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { QaReport } from '../types.ts';
import { toJUnit } from './junit.ts';
import { toTable } from './table.ts';

const report: QaReport = {
  reportVersion: 1, image: '/img/disk.raw', startedAt: '2026-11-25T00:00:00.000Z', durationMs: 1000, passed: false,
  staticAuditMs: 800,
  results: [
    { id: 'A1', title: 'no SSH host keys', phase: 'static', status: 'fail', findings: [{ path: '/etc/ssh/ssh_host_rsa_key', message: 'key <baked> & "shared"' }], durationMs: 3 },
    { id: 'A14', title: 'footprint', phase: 'static', status: 'skip', findings: [], reason: 'no manifest', durationMs: 0 },
    { id: 'B1', title: 'boot health', phase: 'boot:bios', status: 'pass', findings: [], durationMs: 2500 },
    { id: 'B6', title: 'canary', phase: 'boot:bios', status: 'error', findings: [], reason: 'ssh \u0007 died', durationMs: 10 },
  ],
  boots: [{ firmware: 'bios', accel: 'tcg', accelSource: 'probe', secondsToSsh: 59.4, secondsToCloudInitDone: 64.9, serialLog: '/o/serial-bios.log' }],
};

describe('reports', () => {
  it('JUnit has one suite per phase with counts, escaped text and no control characters', () => {
    const xml = toJUnit(report);
    assert.match(xml, /<testsuite name="static" tests="2" failures="1" errors="0" skipped="1"/);
    assert.match(xml, /<testsuite name="boot:bios" tests="2" failures="0" errors="1" skipped="0" time="2.51"/);
    assert.match(xml, /<failure message="key &lt;baked&gt; &amp; &quot;shared&quot;">\/etc\/ssh\/ssh_host_rsa_key: /);
    assert.ok(!xml.includes('\u0007'));
    assert.match(xml, /<skipped message="no manifest"\/>/);
  });

  it('the table shows every check, the findings and the boot figures', () => {
    const t = toTable(report);
    assert.match(t, /FAIL {2}A1 /);
    assert.match(t, /- \/etc\/ssh\/ssh_host_rsa_key: key/);
    assert.match(t, /SSH 59.4s, cloud-init done 64.9s/);
    assert.match(t, /FAILED: 1 pass, 1 fail, 1 error, 1 skip/);
  });

  it('both say which accelerator each boot ran under, and why KVM was given up', () => {
    const fell: QaReport = { ...report, boots: [{ ...report.boots[0]!, accelSource: 'fallback',
      accelFallback: { from: 'kvm', reason: 'no kernel output 20s after the boot loader\'s first output under KVM' } }] };
    assert.match(toJUnit(report), /<testsuite name="boot:bios"[^>]*>\n {4}<properties>\n {6}<property name="accel" value="tcg"\/>\n {6}<property name="accel-source" value="probe"\/>/);
    assert.doesNotMatch(toJUnit(report), /accel-fallback/);
    assert.match(toJUnit(fell), /<property name="accel-fallback" value="no kernel output 20s after the boot loader&apos;s first output under KVM"\/>/);
    assert.doesNotMatch(toJUnit(fell).split('<testsuite name="boot:bios"')[0]!, /<properties>/, 'only boot phases carry the accelerator');
    assert.match(toTable(fell), /^boot bios\/tcg \(fell back from KVM: no kernel output 20s/m);
    assert.match(toTable({ ...report, boots: [{ ...report.boots[0]!, accelSource: 'forced' }] }), /^boot bios\/tcg \(HERD_QEMU_ACCEL\): /m);
  });
});
