import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testImage, toTable } from '../../src/qa/index.ts';
import type { AccelChoice } from '../../src/backends/host/qemu-accel.ts';
import { buildFixture } from '../fixtures/qa/build-fixture.ts';
import { runVm } from '../../src/qa/run-vm.ts';

/**
 * A host whose /dev/kvm opens but cannot run a guest: the fake emulator below takes `-accel kvm`, prints
 * what GRUB prints and then hangs, as QEMU did on such a machine. Under TCG it prints kernel lines (and
 * then also hangs: there is no real guest, so SSH never answers and B0 fails after a short time-out).
 */
const FAKE_QEMU = `#!/bin/sh
dir=$(dirname "$0")
accel=; serial=; pidfile=
while [ $# -gt 0 ]; do
  case "$1" in
    -accel) accel=$2; shift ;;
    -serial) serial=\${2#file:}; shift ;;
    -pidfile) pidfile=$2; shift ;;
  esac
  shift
done
echo "$accel" >> "$dir/calls"
echo $$ > "$pidfile"
printf 'Booting \`Debian GNU/Linux'"'"'\\n\\n' > "$serial"
case "$accel:$(cat "$dir/mode")" in
  kvm:hangs) ;;
  *) printf '[    0.000000] Linux version 6.12.0-fake\\n[    0.412345] Run /init as init process\\n' >> "$serial" ;;
esac
exec sleep 600
`;

/** Processes whose command line mentions `needle`. */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle)) pids.push(Number(d));
  }
  return pids;
}

describe('a KVM that opens but hangs the guest falls back to TCG, and every report says so', () => {
  let dir: string;
  let disk: string;
  let fake: string;
  // what the /dev/kvm probe says on such a host: KVM works
  const probe = async (): Promise<AccelChoice> => ({ accel: 'kvm', source: 'probe' });
  const limits = { firstOutputMs: 5000, kernelMs: 1500 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herd-qa-accel-'));
    disk = await buildFixture(join(dir, 'image'));
    fake = join(dir, 'fake-qemu');
    await writeFile(fake, FAKE_QEMU);
    await chmod(fake, 0o755);
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  const run = async (name: string, mode: 'hangs' | 'works') => {
    await writeFile(join(dir, 'mode'), mode);
    await rm(join(dir, 'calls'), { force: true });
    const out = join(dir, name);
    const report = await testImage({
      image: disk, outDir: out, only: 'boot', firmware: 'bios', reboot: false, bootTimeoutSeconds: 3,
      qemu: { binary: fake, chooseAccel: probe, progressLimits: limits },
    });
    const calls = (await readFile(join(dir, 'calls'), 'utf8')).trim().split('\n');
    return { report, out, calls };
  };

  it('kills the stalled KVM guest, boots again under TCG, and records the fallback in JSON, JUnit and the table', async () => {
    const { report, out, calls } = await run('hang', 'hangs');
    assert.deepEqual(calls, ['kvm', 'tcg,thread=multi'], 'first KVM, then TCG');
    const boot = report.boots[0];
    assert.ok(boot, 'the failed boot still reports its figures');
    assert.equal(boot.accel, 'tcg');
    assert.equal(boot.accelSource, 'fallback');
    assert.match(boot.accelFallback!.reason, /no kernel output 1\.5s after the boot loader's first output under KVM/);
    assert.match(await readFile(boot.accelFallback!.kvmSerialLog!, 'utf8'), /Booting/);
    assert.match(await readFile(join(out, 'serial-bios.log'), 'utf8'), /Linux version/, 'the TCG run has its own serial log');
    // the guest never answers SSH: B0 fails on the time-out, not on the KVM hang
    assert.match(report.results.find((r) => r.id === 'B0')!.findings[0]!.message, /gave up after 3s waiting for SSH/);

    const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    assert.equal(json.boots[0].accel, 'tcg');
    assert.equal(json.boots[0].accelFallback.from, 'kvm');
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    assert.match(junit, /<property name="accel" value="tcg"\/>/);
    assert.match(junit, /<property name="accel-fallback" value="no kernel output/);
    assert.match(toTable(report), /boot bios\/tcg \(fell back from KVM: no kernel output/);
    assert.deepEqual(await processesMentioning(join(out, 'serial-bios')), [], 'neither emulator is left running');
  });

  it('keeps KVM when the guest prints kernel output (no needless fallback)', async () => {
    const { report, calls } = await run('works', 'works');
    assert.deepEqual(calls, ['kvm']);
    assert.equal(report.boots[0]!.accel, 'kvm');
    assert.equal(report.boots[0]!.accelSource, 'probe');
    assert.equal(report.boots[0]!.accelFallback, undefined);
  });

  it('herd run uses the same launcher: a stalled KVM guest is restarted under TCG and the user is told', async () => {
    await writeFile(join(dir, 'mode'), 'hangs');
    await rm(join(dir, 'calls'), { force: true });
    await writeFile(join(dir, 'id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@host\n');
    const lines: string[] = [];
    const running = await runVm({
      image: disk, firmware: 'bios', publicKeyFile: join(dir, 'id.pub'), log: (l) => lines.push(l),
      qemuBinary: fake, chooseAccel: probe, progressLimits: limits,
    });
    try {
      // the second emulator writes its line once it runs: wait for it (bounded) rather than race it
      const calls = async () => (await readFile(join(dir, 'calls'), 'utf8')).trim().split('\n');
      for (let i = 0; i < 50 && (await calls()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await calls(), ['kvm', 'tcg,thread=multi']);
      assert.ok(running.vm.alive(), 'the TCG guest runs');
      assert.match(lines.join('\n'), /KVM made no progress \(no kernel output 1\.5s .*\); restarted under TCG/);
    } finally {
      await running.vm.kill();
      await running.stop();
    }
    assert.deepEqual(await processesMentioning(running.serialLog), [], 'no emulator is left running');
  });
});
