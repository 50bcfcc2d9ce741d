import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shellWord, verifyCommands } from '../../web/src/lib/verify-commands.ts';
import { type Portal, startPortal } from '../e2e/portal-server.ts';

const repo = join(import.meta.dirname, '../..');

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, timeout: 120_000 }, (e, stdout, stderr) =>
      res({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

describe('verification instructions', () => {
  test('words a shell would read differently are quoted, so a pasted command runs only what it shows', () => {
    assert.equal(shellWord('https://h/artifacts/base/1/x86_64/disk.qcow2'), 'https://h/artifacts/base/1/x86_64/disk.qcow2');
    assert.equal(shellWord('a b'), "'a b'");
    assert.equal(shellWord("$(rm -rf ~)'`;"), `'$(rm -rf ~)'\\''\`;'`);
    const c = verifyCommands('https://images.example.org', 'stable', { url: '/artifacts/x/$(id)/disk.qcow2', signatureUrl: '/artifacts/x/$(id)/disk.qcow2.asc', sha256: 'ab'.repeat(32) });
    assert.doesNotMatch(c.plain.replace(/'[^']*'/g, ''), /\$\(/);
    assert.match(c.herd, /herd verify --keyring keyring\.asc https:\/\/images\.example\.org\/feeds\/stable\.json disk\.qcow2$/);
  });

  describe('run as written against a real service', () => {
    let portal: Portal;
    let home: string;
    let env: NodeJS.ProcessEnv;
    before(async () => {
      portal = await startPortal();
      home = mkdtempSync(join(tmpdir(), 'herd-verify-cmds-'));
      // `herd` on PATH as a user who installed it would have it
      mkdirSync(join(home, 'bin'));
      writeFileSync(join(home, 'bin', 'herd'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(repo, 'bin/herd.js'))} "$@"\n`);
      chmodSync(join(home, 'bin', 'herd'), 0o755);
      env = { PATH: `${join(home, 'bin')}:${process.env.PATH}`, HOME: home, GNUPGHOME: join(home, 'gnupg') };
      mkdirSync(join(home, 'gnupg'), { mode: 0o700 });
    });
    after(async () => { await portal?.close(); rmSync(home, { recursive: true, force: true }); });

    const artifact = () => {
      const a = portal.releases.base.artifacts.find((x) => x.format === 'qcow2')!;
      return { url: `/artifacts/${a.location}`, signatureUrl: `/artifacts/${a.signature}`, sha256: a.sha256 };
    };

    test('the plain curl + gpgv + sha256sum lines pass for the published file and fail for a changed one', async () => {
      const dir = mkdtempSync(join(home, 'plain-'));
      const { plain } = verifyCommands(portal.url, 'stable', artifact());
      const ok = await bash(plain, dir, env);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /Good signature/);
      assert.match(ok.out, /disk\.qcow2: OK/);
      // the checking lines again, on a copy of the download changed by one byte: gpgv refuses it
      const bad = mkdtempSync(join(home, 'bad-'));
      for (const f of ['disk.qcow2', 'disk.qcow2.asc', 'keyring.asc']) copyFileSync(join(dir, f), join(bad, f));
      appendFileSync(join(bad, 'disk.qcow2'), 'x');
      const checks = plain.split(' && \\\n  ').filter((l) => !l.startsWith('curl ')).join(' && ');
      const refused = await bash(checks, bad, env);
      assert.notEqual(refused.code, 0, refused.out);
      assert.match(refused.out, /BAD signature/);
    });

    test('the herd verify lines check the channel feed and the file in it; a changed file fails', async () => {
      const dir = mkdtempSync(join(home, 'herd-'));
      const { herd } = verifyCommands(portal.url, 'stable', artifact());
      const ok = await bash(herd, dir, env);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /artifact OK: base 2026\.11\.25\.0/);
      appendFileSync(join(dir, 'disk.qcow2'), 'x');
      const bad = await bash(herd.split(' && \\\n  ').at(-1)!, dir, env);
      assert.notEqual(bad.code, 0, bad.out);
    });
  });
});
