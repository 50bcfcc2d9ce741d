import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.ts';

const repo = resolve(import.meta.dirname, '../..');
const herd = (args: string[], o: { input?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [join(repo, 'bin/herd.js'), ...args], { encoding: 'utf8', input: o.input, env: { ...process.env, HERD_ACCOUNT_PASSWORD: '', ...o.env } });

test('herd accounts: the password comes from stdin or the environment, never a flag, and is stored only as scrypt', () => {
  const data = tempDir('herd-accounts-cli-');
  const made = herd(['accounts', 'create', 'alice', '--role', 'reviewer', '--password-stdin', '--data', data, '--json'], { input: 'a long enough passphrase\n' });
  assert.equal(made.status, 0, made.stderr);
  assert.equal(JSON.parse(made.stdout).role, 'reviewer');
  const none = herd(['accounts', 'create', 'bob', '--role', 'admin', '--data', data]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /error\[cli\.no_password\].*\n.*--password-stdin/);
  assert.notEqual(herd(['accounts', 'create', 'bob', '--role', 'admin', '--password', 'x', '--data', data]).status, 0, 'there is no --password flag');
  assert.equal(herd(['accounts', 'create', 'bob', '--role', 'admin', '--data', data], { env: { HERD_ACCOUNT_PASSWORD: 'another long passphrase' } }).status, 0);
  const list = herd(['accounts', 'list', '--data', data, '--json']);
  assert.deepEqual(JSON.parse(list.stdout).map((a: { name: string; role: string }) => `${a.name}:${a.role}`), ['alice:reviewer', 'bob:admin']);
  assert.ok(!list.stdout.includes('scrypt'));
  const db = readFileSync(join(data, 'herd.db'));
  assert.ok(!db.includes('a long enough passphrase') && db.includes('scrypt$32768'));
  assert.equal(herd(['accounts', 'disable', 'alice', '--data', data]).status, 0);
  assert.match(herd(['accounts', 'list', '--data', data]).stdout, /^alice +reviewer .* disabled /m);
});
