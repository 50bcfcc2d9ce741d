/**
 * Feed and download serving: requests per second and p99 latency for the stream feed and a 64 KiB range
 * of an image, from `herd serve` and from nginx serving the same files, measured in the same run.
 *   npx tsx bench/feed.ts [--seconds 5] [--connections 32]
 * Both servers listen on 127.0.0.1 only; nginx runs with its own config and pid file and is stopped by
 * its PID. nginx gets one worker process, as herd serve is one Node process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/api/server.ts';
import { generateKey } from '../src/keys/keyring.ts';
import { exportDocuments } from '../src/release/export-documents.ts';
import { openServices } from '../src/release/open-services.ts';
import { publishRelease } from '../src/release/publish-release.ts';
import { promoteRelease } from '../src/release/release-actions.ts';
import { listArtifacts } from '../src/store/artifacts.ts';
import { writeBuildOutput } from '../test/release/fixtures/build-output.ts';
import { freePort, startNginx } from './lib/nginx.ts';

const arg = (name: string, d: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : d; };
const SECONDS = arg('--seconds', 5);
const CONNECTIONS = arg('--connections', 32);
const RANGE = 'bytes=1048576-1114111';

/** The herd side runs in its own process, like nginx: the load generator must not share its event loop. */
if (process.argv[2] === '--serve-child') {
  const svc = await openServices({ dataDir: process.argv[3]!, publicUrl: 'http://127.0.0.1' });
  const server = await startServer(svc, { host: '127.0.0.1', port: 0, dataDir: process.argv[3]!, worker: false, respin: false });
  process.stdout.write(`${server.url}\n`);
  process.once('SIGTERM', async () => { await server.close(); await svc.close(); process.exit(0); });
} else {
  await main();
}

/** A published, promoted release with a 16 MiB image; returns the data dir and the image's download path. */
async function prepare(dir: string): Promise<{ data: string; artifact: string }> {
  const data = join(dir, 'data');
  await generateKey(join(data, 'keys'));
  const out = writeBuildOutput(join(dir, 'out'), { version: '2026.11.25.0', formats: ['qcow2'], size: 16 * 1024 * 1024 });
  const svc = await openServices({ dataDir: data, publicUrl: 'http://127.0.0.1' });
  const r = await publishRelease(svc, out);
  await promoteRelease(svc, r.id, 'stable');
  const [image] = await listArtifacts(svc.store.db, [r.id]);
  const www = join(dir, 'www');
  await exportDocuments(svc.store, www);
  symlinkSync(join(data, 'artifacts'), join(www, 'artifacts'));
  await svc.close();
  return { data, artifact: `/artifacts/${image!.location}` };
}

interface Result { rps: number; p50: number; p99: number; errors: number }

/** Closed-loop load: CONNECTIONS keep-alive connections, each sending the next request when the last ends. */
async function load(url: string, headers: Record<string, string>, expect: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const one = () => new Promise<void>((resolve) => {
    const t0 = performance.now();
    http.get(url, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => { if (res.statusCode === expect) latencies.push(performance.now() - t0); else errors++; resolve(); });
    }).on('error', () => { errors++; resolve(); });
  });
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (performance.now() < end) await one(); }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / SECONDS, p50: q(0.5), p99: q(0.99), errors };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'herd-bench-feed-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'nginx-tmp'));
  const children: ChildProcess[] = [];
  try {
    const { data, artifact } = await prepare(dir);
    const port = await freePort();
    const nginx = startNginx(dir, port);
    children.push(nginx);
    const herd = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve-child', data], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(herd);
    const herdUrl = await new Promise<string>((resolve) => herd.stdout!.once('data', (d) => resolve(String(d).trim())));
    const nginxUrl = `http://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 300));
    const rows: string[] = [];
    for (const [name, path, headers, status] of [
      ['stream feed (feeds/stable.json)', '/feeds/stable.json', {}, 200],
      ['artifact 64 KiB range', artifact, { range: RANGE }, 206],
    ] as Array<[string, string, Record<string, string>, number]>) {
      await load(herdUrl + path, headers, status);
      const h = await load(herdUrl + path, headers, status);
      const n = await load(nginxUrl + path, headers, status);
      rows.push(`| ${name} | ${h.rps.toFixed(0)} | ${h.p99.toFixed(2)} | ${n.rps.toFixed(0)} | ${n.p99.toFixed(2)} | ${(h.rps / n.rps).toFixed(2)} | ${h.errors + n.errors} |`);
    }
    console.log(`feed bench: ${SECONDS}s per target, ${CONNECTIONS} keep-alive connections, node ${process.version}`);
    console.log('| request | herd req/s | herd p99 ms | nginx req/s | nginx p99 ms | herd/nginx | errors |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}
