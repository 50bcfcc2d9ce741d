import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKey, readKeyring } from '../../src/keys/keyring.ts';
import { verifyFeed } from '../../src/release/verify-feed.ts';

/** Peak RSS growth (bytes) while `run` is in flight, sampled every 5 ms. */
async function rssGrowth(run: () => Promise<unknown>): Promise<{ growth: number; error: unknown }> {
  globalThis.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  let error: unknown;
  try { await run(); } catch (e) { error = e; }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { growth: peak - base, error };
}

const MiB = 1024 * 1024;

const MIRROR = `
const server = require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  if (req.url === '/small/testing.json') return res.end('{}');
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => { while (!res.destroyed && res.write(chunk)) {} if (!res.destroyed) res.once('drain', pump); };
  pump();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

describe('herd verify caps what it reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herd-sec-limits-'));
  let keyring: string;
  let mirror: ChildProcess;
  let base: string;
  before(async () => {
    await generateKey(join(dir, 'keys'));
    keyring = await readKeyring(join(dir, 'keys'));
    // A hostile mirror in its own process (so its buffers do not count in this process's RSS):
    // /feeds/testing.json never ends; /small/testing.json is small but its signature never ends.
    mirror = spawn(process.execPath, ['-e', MIRROR], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve, reject) => {
      mirror.stdout!.once('data', (d) => resolve(String(d).trim()));
      mirror.once('exit', (code) => reject(new Error(`mirror exited with ${code}`)));
    });
    base = `http://127.0.0.1:${port}`;
    // Load fetch's HTTP client once, so its code is not counted as growth.
    await (await fetch(`${base}/small/testing.json`)).text();
  });
  after(() => {
    mirror.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 400 MB feed file is refused before it is read, with bounded memory', async (t) => {
    const feed = join(dir, 'testing.json');
    const fd = openSync(feed, 'w');
    ftruncateSync(fd, 400 * MiB); // sparse: no disk used
    closeSync(fd);
    writeFileSync(`${feed}.asc`, readFileSync(join(dir, 'keys', 'keyring.asc')));
    const { growth, error } = await rssGrowth(() => verifyFeed({ feed, keyring, statePath: join(dir, 'state.json') }));
    assert.equal((error as any)?.code, 'feed.too_large', String(error));
    t.diagnostic(`RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < 64 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
  });

  test('a mirror streaming an endless feed is cut off at the cap, with bounded memory', { timeout: 120_000 }, async (t) => {
    const { growth, error } = await rssGrowth(() => verifyFeed({ feed: `${base}/feeds/testing.json`, keyring, statePath: join(dir, 'state.json') }));
    assert.equal((error as any)?.code, 'feed.too_large', String(error));
    assert.match((error as Error).message, /16777216-byte limit/);
    t.diagnostic(`RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    // Up to the 16 MiB cap is held, and V8's young generation and the HTTP client's buffers grow once on
    // first use (about 50 MiB measured); without the cap this grows without end.
    assert.ok(growth < 96 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
  });

  test('an endless signature is cut off at 64 KiB', { timeout: 120_000 }, async () => {
    await assert.rejects(verifyFeed({ feed: `${base}/small/testing.json`, keyring, statePath: join(dir, 'state.json') }),
      (e: any) => e.code === 'feed.too_large' && /feed signature .* 65536-byte limit/.test(e.message));
  });

  test('a smaller cap applies as given', async () => {
    const feed = join(dir, 'small', 'testing.json');
    mkdirSync(join(dir, 'small'), { recursive: true });
    writeFileSync(feed, 'x'.repeat(2048));
    await assert.rejects(verifyFeed({ feed, keyring, statePath: join(dir, 'state.json'), maxFeedBytes: 1024 }), { code: 'feed.too_large' });
  });
});
