import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeBuildOutput } from './fixtures/build-output.ts';
import { runHerd } from './fixtures/child-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const herd = (...args: string[]) => runHerd(args);

test('keys generate, publish with --export, verify the exported feed and an image; errors exit 1 with a hint', async () => {
  const data = join(dir, 'data');
  const gen = await herd('keys', 'generate', '--data', data);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /created ed25519 key [0-9A-F]{40}/);

  const pub = await herd('publish', writeBuildOutput(join(dir, 'out'), { version: '2026.11.25.0' }), '--data', data, '--export', join(dir, 'www'), '--public-url', 'https://images.example.org');
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /base 2026\.11\.25\.0 published to testing/);

  const image = join(dir, 'disk.qcow2');
  const releaseId = /\(id ([0-9a-f-]{36})\)/.exec(pub.stdout)![1]!;
  copyFileSync(join(data, `artifacts/base/2026.11.25.0/x86_64/${releaseId}/disk.qcow2`), image);
  copyFileSync(join(data, `artifacts/base/2026.11.25.0/x86_64/${releaseId}/disk.qcow2.asc`), `${image}.asc`);
  const ok = await herd('verify', join(dir, 'www/feeds/testing.json'), image, '--keyring', join(data, 'keys/keyring.asc'), '--state', join(dir, 'state.json'));
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /feed OK: testing generation 1/);
  assert.match(ok.stdout, /artifact OK: base 2026\.11\.25\.0 x86_64 qcow2/);

  const bad = await herd('publish', join(dir, 'missing'), '--data', data);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /error\[publish\.missing_file\]: .*manifest\.json/);
  assert.match(bad.stderr, /hint: /);
});
