import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBootTests } from '../../src/qa/boot/run-boot-tests.ts';
import { requireBootTools } from '../../src/qa/boot/boot-tools.ts';
import { buildFixture } from '../fixtures/qa/build-fixture.ts';

/** Processes whose command line mentions `needle` (QEMU is started with the serial log path on its argv). */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle)) pids.push(Number(d));
  }
  return pids;
}

const bootScratch = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('herd-qa-boot-')).sort();

describe('boot harness plumbing (no real image needed)', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'herd-qa-harness-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reports B0 on a disk that never boots, kills QEMU by its PID and removes its scratch files', async () => {
    const disk = await buildFixture(join(dir, 'unbootable'));
    const out = join(dir, 'out');
    const scratchBefore = await bootScratch();
    const { results, boots } = await runBootTests({
      image: disk, format: 'raw', virtualSize: (await stat(disk)).size, rootPartitionBytes: 48 << 20,
      firmware: 'bios', outDir: out, sshTimeoutMs: 8000, reboot: false,
    });
    assert.deepEqual(results.map((r) => [r.id, r.status]), [['B0', 'fail']]);
    assert.match(results[0]!.findings[0]!.message, /gave up after 8s waiting for SSH/);
    // a boot that never reached SSH still says which accelerator it ran under, and has no times
    assert.equal(boots.length, 1);
    assert.match(boots[0]!.accel, /^(kvm|tcg)$/);
    assert.equal(boots[0]!.secondsToSsh, undefined);
    await stat(join(out, 'serial-bios.log'));
    assert.deepEqual(await processesMentioning(join(out, 'serial-bios.log')), []);
    assert.deepEqual(await bootScratch(), scratchBefore);
  });

  it('names the Debian package of a missing tool before booting anything', () => {
    const path = process.env.HERD_HOST_PATH;
    process.env.HERD_HOST_PATH = '/nonexistent';
    try {
      assert.throws(() => requireBootTools('bios'), (e: any) => e.code === 'host.tool_missing' && /apt-get install .*qemu-system-x86/.test(e.hint));
    } finally {
      if (path === undefined) delete process.env.HERD_HOST_PATH; else process.env.HERD_HOST_PATH = path;
    }
  });
});
