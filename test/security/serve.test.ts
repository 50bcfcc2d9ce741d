import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { cliPath, killHard, spawnTs, waitForLine } from '../release/fixtures/child-process.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'herd-serve-sec-'));
const data = join(dir, 'data');
const children: ReturnType<typeof spawnTs>[] = [];
after(async () => { await Promise.all(children.map(killHard)); rmSync(dir, { recursive: true, force: true }); });

async function herd(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cliPath, ...args], { timeout: 30_000, env: { ...process.env, HERD_TOKEN: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e: any) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('herd serve refuses a non-loopback bind without a token, and a wildcard public URL; the CLI sends HERD_TOKEN', async () => {
  // Refused before listening: this test never binds beyond loopback.
  const open = await herd(['serve', '--data', data, '--host', '0.0.0.0', '--port', '0']);
  assert.equal(open.code, 1, open.stderr);
  assert.match(open.stderr, /error\[serve\.no_tokens\]/);
  assert.match(open.stderr, /hint: .*herd tokens create --role/);
  assert.match(open.stderr, /TLS.*--public-url https:/);
  const wildcard = await herd(['serve', '--data', data, '--public-url', 'http://0.0.0.0:8080', '--port', '0']);
  assert.equal(wildcard.code, 1);
  assert.match(wildcard.stderr, /error\[cli\.bad_public_url\].*wildcard/);

  assert.equal((await herd(['keys', 'generate', '--data', data])).code, 0);
  const viewer = await herd(['tokens', 'create', '--role', 'viewer', '--name', 'dashboard', '--data', data]);
  assert.equal(viewer.code, 0, viewer.stderr);
  const viewerSecret = viewer.stdout.trim();
  assert.match(viewerSecret, /^herd_[A-Za-z0-9_-]{43}$/);
  const admin = (await herd(['tokens', 'create', '--role', 'admin', '--data', data])).stdout.trim();
  const listed = await herd(['tokens', 'list', '--data', data]);
  assert.match(listed.stdout, /viewer\s+dashboard/);
  assert.ok(!listed.stdout.includes(viewerSecret) && !listed.stdout.includes(admin));

  // With a token but no public URL, a wildcard bind is still refused: feeds would name 0.0.0.0.
  const noUrl = await herd(['serve', '--data', data, '--host', '0.0.0.0', '--port', '0']);
  assert.equal(noUrl.code, 1);
  assert.match(noUrl.stderr, /error\[serve\.no_public_url\].*\n.*--public-url https/);

  const serve = spawnTs(cliPath, ['serve', '--no-respin', '--data', data, '--port', '0', '--public-url', 'https://images.example.org']);
  children.push(serve);
  const [, url] = (await waitForLine(serve, /listening on (http:\/\/127\.0\.0\.1:\d+)/))!;
  const feed = await (await fetch(`${url}/feeds/testing.json`)).text();
  assert.match(feed, /images\.example\.org/);
  assert.ok(!feed.includes('127.0.0.1') && !feed.includes('0.0.0.0'));

  const id = randomUUID();
  const anon = await herd(['releases', 'promote', id, '--server', url!]);
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /error\[api\.unauthenticated\][^\n]*\n\s+hint: HERD_TOKEN is not set/);
  const low = await herd(['releases', 'promote', id, '--server', url!], { HERD_TOKEN: viewerSecret });
  assert.equal(low.code, 1);
  assert.match(low.stderr, /error\[api\.forbidden\].*needs role publisher/);
  const ok = await herd(['releases', 'promote', id, '--server', url!], { HERD_TOKEN: admin });
  assert.match(ok.stderr, /error\[release\.not_found\]/, 'an admin token reaches the route');
  await killHard(serve);

  // The public URL was stored: a restart without --public-url keeps it.
  const again = spawnTs(cliPath, ['serve', '--no-respin', '--data', data, '--port', '0']);
  children.push(again);
  await waitForLine(again, /feeds link to https:\/\/images\.example\.org/);
  await killHard(again);
});
