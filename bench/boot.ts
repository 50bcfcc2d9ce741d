/**
 * Boot benchmark: Herd's base image against a reference image of the same distribution built without
 * Herd's trimming, booted in the same run under the same emulator. Prints the ratio of times to SSH
 * (target ≤ 0.7) and the static-audit time of the base image (target < 10 s for 2 GiB).
 *
 *   npx tsx bench/boot.ts [--base disk.raw] [--reference disk.raw] [--rounds N] [--firmware bios|uefi]
 *
 * Without a reference image it boots the base image a second time with Debian's default cloud-init key
 * types (RSA + ECDSA + ED25519) and says so: a weaker peer that isolates only the host-key cost.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseAccel } from '../src/backends/host/qemu-accel.ts';
import { bootInstance } from '../src/qa/boot/instance.ts';
import { makeSshKey } from '../src/qa/boot/ssh.ts';
import { requireBootTools } from '../src/qa/boot/boot-tools.ts';
import { detectFormat } from '../src/qa/image/open-image.ts';
import { auditImage } from '../src/qa/static/audit-image.ts';
import type { BootFigures } from '../src/qa/types.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: process.env.HERD_TEST_IMAGE ?? '/work/img/base/disk.raw' },
    reference: { type: 'string', default: '/work/img/reference/disk.raw' },
    rounds: { type: 'string', default: '1' },
    firmware: { type: 'string', default: 'bios' },
  },
});
const firmware = values.firmware === 'uefi' ? 'uefi' : 'bios';
const hasReference = existsSync(values.reference!);
const peers = [
  { name: 'herd-base', image: values.base!, extra: undefined },
  hasReference
    ? { name: 'reference', image: values.reference!, extra: undefined }
    : { name: 'base+debian-keytypes', image: values.base!, extra: { ssh_genkeytypes: ['rsa', 'ecdsa', 'ed25519'] } },
];

requireBootTools(firmware);
const work = await mkdtemp(join(tmpdir(), 'herd-bench-boot-'));
const rows: Array<{ peer: string; round: number } & BootFigures> = [];
try {
  const audit = await auditImage(values.base!);
  const key = await makeSshKey(work);
  for (let round = 1; round <= Number(values.rounds); round++) {
    // Alternate the order each round so neither peer always boots on a warmer page cache.
    for (const peer of round % 2 ? peers : [...peers].reverse()) {
      const { format, virtualSize } = await detectFormat(peer.image);
      const dir = join(work, `${peer.name}-${round}`);
      // asked per boot: a KVM guest that stalls falls back to TCG, and the later boots start there
      const inst = await bootInstance({
        image: peer.image, imageFormat: format, virtualSize, firmware, accel: await chooseAccel(), workDir: dir, key, label: peer.name,
        serialLog: join(work, `${peer.name}-${round}.serial.log`), growBytes: 1024 ** 3, extraUserData: peer.extra,
        sshTimeoutMs: 900_000, onProgress: (m) => process.stderr.write(`${m}\n`),
      });
      rows.push({ peer: peer.name, round, ...inst.figures });
      await inst.stop();
    }
  }
  const mean = (peer: string, f: (r: BootFigures) => number | undefined) => {
    const xs = rows.filter((r) => r.peer === peer).map(f).filter((x): x is number => x !== undefined);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  // every boot's own accelerator: the peers are comparable only when they all ran under the same one
  const accels = [...new Set(rows.map((r) => `${r.accel} (${r.accelSource})`))];
  const accel = accels.join(' / ');
  for (const r of rows.filter((x) => x.accelFallback)) console.log(`${r.peer} round ${r.round}: KVM fallback to TCG: ${r.accelFallback!.reason}`);
  console.log(`accel ${accel}, firmware ${firmware}, rounds ${values.rounds}${hasReference ? '' : ' (no reference image: peer is the base image with Debian default host-key types)'}`);
  console.log('peer'.padEnd(22), 'ssh_s'.padStart(8), 'cloudinit_done_s'.padStart(18), 'ci_analyze_s'.padStart(14));
  for (const p of peers) {
    console.log(p.name.padEnd(22), mean(p.name, (r) => r.secondsToSsh).toFixed(1).padStart(8),
      mean(p.name, (r) => r.secondsToCloudInitDone).toFixed(1).padStart(18), mean(p.name, (r) => r.cloudInitAnalyzeTotal).toFixed(1).padStart(14));
  }
  const ratio = mean(peers[0]!.name, (r) => r.secondsToSsh) / mean(peers[1]!.name, (r) => r.secondsToSsh);
  console.log(`time-to-SSH ratio herd-base / ${peers[1]!.name}: ${ratio.toFixed(2)} (target ≤ 0.70)`);
  console.log(`static audit of the base image: ${(audit.durationMs / 1000).toFixed(1)} s (target < 10 s)`);
  await mkdir('bench/results', { recursive: true });
  await writeFile(join('bench/results', `boot-${Date.now()}.json`), JSON.stringify({ accel, firmware, ratio, staticAuditMs: audit.durationMs, rows }, null, 2));
} finally {
  await rm(work, { recursive: true, force: true });
}
