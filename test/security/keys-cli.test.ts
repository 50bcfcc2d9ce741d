import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runHerd } from '../release/fixtures/child-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-sec-keys-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const herd = (...args: string[]) => runHerd(args);

test('keys generate makes a 0700 folder with 0600 private keys; keys commands tighten wider modes and say so', async () => {
  const data = join(dir, 'data');
  const gen = await herd('keys', 'generate', '--data', data);
  assert.equal(gen.code, 0, gen.stderr);
  const keys = join(data, 'keys');
  assert.equal(statSync(keys).mode & 0o777, 0o700);
  const priv = readdirSync(keys).filter((f) => f.endsWith('.key.asc'));
  assert.equal(priv.length, 1);
  assert.equal(statSync(join(keys, priv[0]!)).mode & 0o777, 0o600);

  chmodSync(keys, 0o755);
  chmodSync(join(keys, priv[0]!), 0o644);
  const list = await herd('keys', 'list', '--data', data);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stderr, /permissions were too wide, fixed .*keys: mode 755 -> 700/);
  assert.equal(statSync(keys).mode & 0o777, 0o700);
  assert.equal(statSync(join(keys, priv[0]!)).mode & 0o777, 0o600);
});

test('keys revoke needs --compromised, and refuses control characters in the reason', async () => {
  const data = join(dir, 'data');
  const list = await herd('keys', 'list', '--data', data, '--json');
  const [k] = JSON.parse(list.stdout);
  const bare = await herd('keys', 'revoke', k.fingerprint, '--data', data);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /--compromised/);
  const ctl = await herd('keys', 'revoke', k.fingerprint, '--compromised', '--reason', 'bad\x1b[31m', '--data', data);
  assert.equal(ctl.code, 1);
  assert.match(ctl.stderr, /keys\.bad_reason/);
  const ok = await herd('keys', 'revoke', k.fingerprint, '--compromised', '--data', data);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /revoked key [0-9A-F]{40} as compromised/);
  assert.match((await herd('keys', 'list', '--data', data)).stdout, new RegExp(`revoked +${k.fingerprint}`));
});

test('a corrupt keys.json is keys.corrupt, exit 3, with the path and a hint (not an uncaught SyntaxError)', async () => {
  const data = join(dir, 'corrupt');
  mkdirSync(join(data, 'keys'), { recursive: true, mode: 0o700 });
  writeFileSync(join(data, 'keys', 'keys.json'), '{"schemaVersion": 1, "keys": [');
  for (const args of [['keys', 'list'], ['keys', 'rotate']]) {
    const r = await herd(...args, '--data', data);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error\[keys\.corrupt\]: .*keys\.json is not valid JSON/);
    assert.match(r.stderr, /hint: restore keys\.json/);
  }
  writeFileSync(join(data, 'keys', 'keys.json'), '{"schemaVersion": 1, "keys": [{"status": "maybe"}]}');
  const r = await herd('keys', 'list', '--data', data);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /error\[keys\.corrupt\]: .*not a valid key index: keys\.0\./);
});

test('a corrupt verify state is verify.bad_state, exit 3, naming the file', async () => {
  const state = join(dir, 'state.json');
  writeFileSync(state, '{"schemaVersion": 1, "feeds": {');
  const feed = join(dir, 'testing.json');
  writeFileSync(feed, '{}');
  writeFileSync(`${feed}.asc`, '');
  const r = await herd('verify', feed, '--data', join(dir, 'data'), '--state', state);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`error\\[verify\\.bad_state\\]: ${state.replace(/[.]/g, '\\.')} is not JSON`));
  assert.match(r.stderr, /hint: /);
  writeFileSync(state, '{"schemaVersion": 1, "feeds": {"x": {"generation": "high"}}}');
  const s = await herd('verify', feed, '--data', join(dir, 'data'), '--state', state);
  assert.equal(s.code, 3, s.stderr);
  assert.match(s.stderr, /verify\.bad_state.*not a herd verify state file: feeds\.x\.generation/);
});
