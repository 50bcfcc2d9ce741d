/**
 * The release service under read load while it publishes: 200 concurrent anonymous readers (feed, its
 * signature, 64 KiB ranges of a 16 MiB image) against `herd serve` while another process publishes
 * releases, and the same readers against nginx serving an export of the same files (its peer: static
 * files, no publishing), in one run. Prints requests/s and p99 per target, the ratio and the error count.
 *   npx tsx bench/service-load.ts [--seconds 10] [--readers 200]
 * Both servers listen on 127.0.0.1 only and are stopped by their PIDs; the run stops by itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../src/keys/keyring.ts';
import { exportDocuments } from '../src/release/export-documents.ts';
import { openServices } from '../src/release/open-services.ts';
import { publishRelease } from '../src/release/publish-release.ts';
import { listArtifacts } from '../src/store/artifacts.ts';
import { feedCheck, type ReadTarget, runReadLoad } from '../test/helpers/read-load.ts';
import { writeBuildOutput } from '../test/release/fixtures/build-output.ts';
import { freePort, startNginx } from './lib/nginx.ts';

const arg = (name: string, d: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : d; };
const SECONDS = arg('--seconds', 10);
const READERS = arg('--readers', 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'herd-bench-load-'));
chmodSync(dir, 0o755);
const children: ChildProcess[] = [];
try {
  const data = join(dir, 'data');
  await generateKey(join(data, 'keys'));
  const svc = await openServices({ dataDir: data, publicUrl: 'http://127.0.0.1' });
  const first = writeBuildOutput(join(dir, 'b0'), { version: '2026.11.30.0', formats: ['qcow2'], size: 16 * 1024 * 1024 });
  const r0 = await publishRelease(svc, first);
  const [image] = await listArtifacts(svc.store.db, [r0.id]);
  const expected = readFileSync(join(first, 'disk.qcow2')).subarray(1 << 20, (1 << 20) + 65536);
  const www = join(dir, 'www');
  await exportDocuments(svc.store, www);
  symlinkSync(join(data, 'artifacts'), join(www, 'artifacts'));
  mkdirSync(join(dir, 'nginx-tmp'));

  const port = await freePort();
  children.push(startNginx(dir, port));
  const herd = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--no-respin', '--data', data, '--port', '0', '--no-worker'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(herd);
  const herdUrl = await new Promise<string>((resolve) => herd.stdout!.on('data', (d) => { const m = /listening on (http:\/\/\S+)/.exec(String(d)); if (m) resolve(m[1]!); }));
  await sleep(300);

  const targets = (): ReadTarget[] => [
    { name: 'feed', path: '/feeds/testing.json', status: 200, check: feedCheck() },
    { name: 'signature', path: '/feeds/testing.json.asc', status: 200 },
    { name: 'range 64 KiB', path: `/artifacts/${image!.location}`, headers: { range: `bytes=${1 << 20}-${(1 << 20) + 65535}` }, status: 206,
      check: (b) => (b.equals(expected) ? undefined : 'range body differs') },
  ];
  // nginx first (static files, nothing changes), then herd while releases are published beside it
  const peer = await runReadLoad(`http://127.0.0.1:${port}`, targets(), { readers: READERS, until: sleep(SECONDS * 1000), maxMs: SECONDS * 1000 });
  let published = 0;
  let stop = false;
  const publishing = (async () => {
    for (let i = 1; !stop; i++) {
      await publishRelease(svc, writeBuildOutput(join(dir, `b${i}`), { seed: `load-${i}`, version: `2026.11.30.${i}`, formats: ['qcow2'], size: 1024 * 1024 }));
      published++;
    }
  })();
  const herdLoad = await runReadLoad(herdUrl, targets(), { readers: READERS, until: sleep(SECONDS * 1000), maxMs: SECONDS * 1000 });
  stop = true;
  await publishing;
  await svc.close();

  console.log(`service load bench: ${READERS} concurrent anonymous readers, ${SECONDS}s per server, node ${process.version}; herd published ${published} releases meanwhile`);
  console.log('| request | herd req/s | herd p99 ms | nginx req/s | nginx p99 ms | herd/nginx |');
  console.log('|---|---|---|---|---|---|');
  for (const name of Object.keys(herdLoad.perTarget)) {
    const h = herdLoad.perTarget[name]!;
    const n = peer.perTarget[name]!;
    const rps = (x: { requests: number }, s: number) => x.requests / s;
    console.log(`| ${name} | ${rps(h, herdLoad.seconds).toFixed(0)} | ${h.p99.toFixed(1)} | ${rps(n, peer.seconds).toFixed(0)} | ${n.p99.toFixed(1)} | ${(rps(h, herdLoad.seconds) / rps(n, peer.seconds)).toFixed(2)} |`);
  }
  console.log(`errors: herd ${herdLoad.errors}, nginx ${peer.errors}${[...herdLoad.problems, ...peer.problems].map((p) => `\n  ${p}`).join('')}`);
  if (herdLoad.errors) process.exitCode = 1;
} finally {
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
