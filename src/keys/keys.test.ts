import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureKeyDir } from './key-dir.ts';
import { generateKey, listKeys, loadActiveSigner, readKeyring, revokeCompromisedKey, rotateKey } from './keyring.ts';
import { reloadingSigner } from './reloading-signer.ts';
import { readTrustedKeyring, verifyWithKeyring } from './trusted-keyring.ts';
import { verifyDetached } from './verify-signature.ts';

const root = mkdtempSync(join(tmpdir(), 'herd-keys-'));
const dir = join(root, 'keys');
after(() => rmSync(root, { recursive: true, force: true }));
const bytes = (s: string) => new TextEncoder().encode(s);

test('generate makes one active key in a 0700 folder, private key 0600; a second generate is refused', async () => {
  const k = await generateKey(dir);
  assert.match(k.fingerprint, /^[0-9A-F]{40}$/);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, `${k.fingerprint}.key.asc`)).mode & 0o777, 0o600);
  await assert.rejects(generateKey(dir), { code: 'keys.exists' });
});

test('signatures verify with openpgp.js and are refused when the data changes', async () => {
  const signer = await loadActiveSigner(dir);
  const data = bytes('{"generation":1}');
  const sig = await signer.sign(data);
  assert.equal(await verifyDetached(data, sig, await readKeyring(dir), 'feed'), signer.fingerprint);
  await assert.rejects(verifyDetached(bytes('{"generation":2}'), sig, await readKeyring(dir), 'feed'), { code: 'signature.invalid' });
});

async function gpgVerify(keyring: string, data: string, signature: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'herd-gnupg-'));
  try {
    const file = join(home, 'feed.json');
    writeFileSync(file, data);
    writeFileSync(`${file}.asc`, signature);
    execFileSync('gpg', ['--homedir', home, '--batch', '--import', keyring], { stdio: 'pipe' });
    return execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', '--verify', `${file}.asc`, file], { stdio: 'pipe' }).toString();
  } finally {
    // gpg may leave an agent behind for this homedir; ask it (and only it) to stop.
    try { execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' }); } catch { /* no agent started */ }
    rmSync(home, { recursive: true, force: true });
  }
}

test('gpg 2.2 verifies our detached signatures', async () => {
  const signer = await loadActiveSigner(dir);
  const out = await gpgVerify(join(dir, 'keyring.asc'), '{"schemaVersion":1}\n', await signer.sign(bytes('{"schemaVersion":1}\n')));
  assert.match(out, new RegExp(`VALIDSIG ${signer.fingerprint}`));
});

test('rotate retires the old key with a dated "superseded" revocation in the keyring; old signatures still verify', async () => {
  const before = await loadActiveSigner(dir);
  const oldSig = await before.sign(bytes('old'));
  const next = await rotateKey(dir);
  const keys = await listKeys(dir);
  assert.deepEqual(keys.map((k) => k.status), ['retired', 'active']);
  assert.ok(keys[0]!.retired);
  assert.equal((await loadActiveSigner(dir)).fingerprint, next.fingerprint);
  const ring = await readTrustedKeyring(await readKeyring(dir), 'keyring');
  assert.equal(ring.publisher, before.fingerprint, 'the first key names the publisher');
  const status = ring.keys.get(before.fingerprint)!.status;
  assert.equal(status.compromised, undefined);
  assert.ok(Math.abs(status.retired!.getTime() - Date.parse(keys[0]!.retired!)) < 1000, 'the keyring carries the retirement time');
  assert.equal(ring.keys.get(next.fingerprint)!.status.retired, undefined);
  const v = await verifyWithKeyring(bytes('old'), oldSig, ring, 'old feed');
  assert.equal(v.fingerprint, before.fingerprint);
});

test('a running signer follows keys.json: rotate in between and the next signature is the new key', async () => {
  const signer = reloadingSigner(dir);
  const first = await signer();
  assert.equal(first, await signer(), 'unchanged keys.json: the loaded key is reused');
  const next = await rotateKey(dir);
  assert.equal((await signer()).fingerprint, next.fingerprint);
  assert.notEqual(first.fingerprint, next.fingerprint);
});

test('revoke --compromised of the active key makes a new one, deletes the private key and marks the keyring', async () => {
  const active = (await listKeys(dir)).find((k) => k.status === 'active')!;
  const { revoked, replacement } = await revokeCompromisedKey(dir, active.fingerprint.slice(-16), { reason: 'laptop stolen' });
  assert.equal(revoked.fingerprint, active.fingerprint);
  assert.ok(replacement);
  assert.throws(() => statSync(join(dir, `${active.fingerprint}.key.asc`)), { code: 'ENOENT' });
  assert.equal((await loadActiveSigner(dir)).fingerprint, replacement.fingerprint);
  const ring = await readTrustedKeyring(await readKeyring(dir), 'keyring');
  assert.equal(ring.keys.get(active.fingerprint)!.status.compromised?.reason, 'laptop stolen');
  await assert.rejects(revokeCompromisedKey(dir, active.fingerprint), { code: 'keys.already_revoked' });
  await assert.rejects(revokeCompromisedKey(dir, 'ABCDEF'), { code: 'keys.not_found' });
});

test('a revocation made by another key does not count', async () => {
  const other = join(root, 'other');
  await generateKey(other);
  const theirs = await readKeyring(other);
  const [victim] = await listKeys(dir);
  // Graft the other key's (valid for itself) revocation onto one of our public keys.
  const mine = await readTrustedKeyring(await readKeyring(dir), 'keyring');
  const openpgp = await import('openpgp');
  const theirKey = await openpgp.readKey({ armoredKey: theirs });
  const theirPriv = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(other, `${theirKey.getFingerprint().toUpperCase()}.key.asc`), 'utf8') });
  const rev = await openpgp.revokeKey({ key: theirPriv, format: 'object' });
  const target = mine.keys.get(victim!.fingerprint)!.key;
  target.revocationSignatures.push(...rev.publicKey.revocationSignatures);
  const ring = await readTrustedKeyring(target.armor(), 'grafted');
  assert.equal(ring.keys.get(victim!.fingerprint)!.status.compromised, undefined);
});

test('corrupt keys.json: keys.corrupt, kind dependency; a missing private key file: keys.key_missing', async () => {
  const bad = join(root, 'bad');
  mkdirSync(bad, { mode: 0o700 });
  writeFileSync(join(bad, 'keys.json'), '{"schemaVersion": 1, "keys": [');
  await assert.rejects(listKeys(bad), (e: any) => e.code === 'keys.corrupt' && e.kind === 'dependency' && e.message.includes(join(bad, 'keys.json')) && !!e.hint);
  writeFileSync(join(bad, 'keys.json'), '{"schemaVersion": 1, "keys": [{"fingerprint": 5}]}');
  await assert.rejects(loadActiveSigner(bad), (e: any) => e.code === 'keys.corrupt' && e.kind === 'dependency' && /keys\.0\.fingerprint/.test(e.message));
  const lost = join(root, 'lost');
  const k = await generateKey(lost);
  rmSync(join(lost, `${k.fingerprint}.key.asc`));
  await assert.rejects(loadActiveSigner(lost), (e: any) => e.code === 'keys.key_missing' && e.kind === 'dependency' && e.message.includes(k.fingerprint));
});

test('ensureKeyDir tightens a wide folder and wide private key files', async () => {
  const wide = join(root, 'wide');
  const k = await generateKey(wide);
  chmodSync(wide, 0o755);
  chmodSync(join(wide, `${k.fingerprint}.key.asc`), 0o644);
  const fixed = await ensureKeyDir(wide);
  assert.equal(fixed.length, 2);
  assert.equal(statSync(wide).mode & 0o777, 0o700);
  assert.equal(statSync(join(wide, `${k.fingerprint}.key.asc`)).mode & 0o777, 0o600);
  assert.deepEqual(await ensureKeyDir(wide), []);
});

test('a key folder from before published revocations gets its retired keys dated in the keyring on the next rotate', async () => {
  const legacy = join(root, 'legacy');
  const first = await generateKey(legacy);
  await rotateKey(legacy);
  // What an older herd left: the retired key's public key without a revocation.
  const openpgp = await import('openpgp');
  const priv = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(legacy, `${first.fingerprint}.key.asc`), 'utf8') });
  writeFileSync(join(legacy, `${first.fingerprint}.pub.asc`), priv.toPublic().armor());
  await rotateKey(legacy);
  const ring = await readTrustedKeyring(await readKeyring(legacy), 'keyring');
  const retired = (await listKeys(legacy)).find((k) => k.fingerprint === first.fingerprint)!.retired!;
  assert.equal(ring.keys.get(first.fingerprint)!.status.retired?.getTime(), Math.floor(Date.parse(retired) / 1000) * 1000);
});

test('gpg 2.2 imports a keyring with retired and revoked keys and verifies the active key', async () => {
  assert.deepEqual((await listKeys(dir)).map((k) => k.status), ['retired', 'retired', 'revoked', 'active']);
  const signer = await loadActiveSigner(dir);
  const out = await gpgVerify(join(dir, 'keyring.asc'), 'x', await signer.sign(bytes('x')));
  assert.match(out, new RegExp(`VALIDSIG ${signer.fingerprint}`));
});
