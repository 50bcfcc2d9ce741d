import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateKey, listKeys, loadActiveSigner, readKeyring, rotateKey } from './keyring.ts';
import { verifyDetached } from './verify-signature.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('generate makes one active key; a second generate is refused', async () => {
  const k = await generateKey(dir);
  assert.match(k.fingerprint, /^[0-9A-F]{40}$/);
  assert.equal(statSync(join(dir, `${k.fingerprint}.key.asc`)).mode & 0o777, 0o600);
  await assert.rejects(generateKey(dir), { code: 'keys.exists' });
});

test('signatures verify with openpgp.js and are refused when the data changes', async () => {
  const signer = await loadActiveSigner(dir);
  const data = new TextEncoder().encode('{"generation":1}');
  const sig = await signer.sign(data);
  assert.equal(await verifyDetached(data, sig, await readKeyring(dir), 'feed'), signer.fingerprint);
  await assert.rejects(verifyDetached(new TextEncoder().encode('{"generation":2}'), sig, await readKeyring(dir), 'feed'), { code: 'signature.invalid' });
});

test('gpg 2.2 verifies our detached signatures', async () => {
  const signer = await loadActiveSigner(dir);
  const home = mkdtempSync(join(tmpdir(), 'herd-gnupg-'));
  try {
    const file = join(home, 'feed.json');
    writeFileSync(file, '{"schemaVersion":1}\n');
    writeFileSync(`${file}.asc`, await signer.sign(readFileSync(file)));
    execFileSync('gpg', ['--homedir', home, '--batch', '--import', join(dir, 'keyring.asc')], { stdio: 'pipe' });
    const out = execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', '--verify', `${file}.asc`, file], { stdio: 'pipe' }).toString();
    assert.match(out, new RegExp(`VALIDSIG ${signer.fingerprint}`));
  } finally {
    // gpg may leave an agent behind for this homedir; ask it (and only it) to stop.
    try { execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' }); } catch { /* no agent started */ }
    rmSync(home, { recursive: true, force: true });
  }
});

test('rotate retires the old key, keeps it in the keyring, and signs with the new one', async () => {
  const before = await loadActiveSigner(dir);
  const oldSig = await before.sign(new TextEncoder().encode('old'));
  const next = await rotateKey(dir);
  const keys = await listKeys(dir);
  assert.deepEqual(keys.map((k) => k.status), ['retired', 'active']);
  assert.equal((await loadActiveSigner(dir)).fingerprint, next.fingerprint);
  assert.equal(await verifyDetached(new TextEncoder().encode('old'), oldSig, await readKeyring(dir), 'old feed'), before.fingerprint);
});
