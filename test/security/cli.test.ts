import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';
import { runHerd } from '../release/fixtures/child-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-sec-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const herd = (...args: string[]) => runHerd(args);

test('herd publish refuses an untested build unless --allow-untested; herd gc reports', async () => {
  const data = join(dir, 'data');
  assert.equal((await herd('keys', 'generate', '--data', data)).code, 0);
  const out = writeBuildOutput(join(dir, 'out'), { tested: false, version: '2026.11.25.0' });
  const refused = await herd('publish', out, '--data', data);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /error\[publish\.untested\]/);
  assert.match(refused.stderr, /--allow-untested/);
  const allowed = await herd('publish', out, '--data', data, '--allow-untested');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /base 2026\.11\.25\.0 published to testing \(untested\)/);
  const gc = await herd('gc', '--data', data, '--dry-run', '--json', '--older-than', '0');
  assert.equal(gc.code, 0, gc.stderr);
  assert.deepEqual(JSON.parse(gc.stdout), { dryRun: true, olderThanMs: 0, releases: [], artifacts: [], partialUploads: [] });
});
