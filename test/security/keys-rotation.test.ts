import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { listKeys, readKeyring } from '../../src/keys/keyring.ts';
import * as openpgp from 'openpgp';
import { verifyDetached } from '../../src/keys/verify-signature.ts';
import { refreshFeeds } from '../../src/release/release-actions.ts';
import { getDocument } from '../../src/store/documents.ts';
import { cliPath } from '../release/fixtures/child-process.ts';
import { makeServices } from '../release/fixtures/services.ts';

const run = promisify(execFile);
const herd = (...args: string[]) => run(process.execPath, ['--import', 'tsx', cliPath, ...args], { timeout: 60_000 });

/** Rotation and revocation by the CLI, in another process, while services that sign feeds stay open. */
describe('keys change under a running service', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let keys: string;
  /** The key that signed a stored document: the signature must verify and name that key as its issuer. */
  const signerOf = async (path: string) => {
    const doc = (await getDocument(env.svc.store.db, path))!;
    const sig = (await getDocument(env.svc.store.db, `${path}.asc`))!;
    const issuer = (await openpgp.readSignature({ armoredSignature: sig.body })).getSigningKeyIDs()[0]!.toHex().toUpperCase();
    const fingerprint = (await listKeys(keys)).map((k) => k.fingerprint).find((f) => f.endsWith(issuer))!;
    await verifyDetached(new TextEncoder().encode(doc.body), sig.body, await readKeyring(keys), path);
    return fingerprint;
  };
  before(async () => {
    env = await makeServices('herd-sec-rotate-');
    keys = join(env.dir, 'data', 'keys');
  });
  after(async () => { await env.cleanup(); });

  test('the next feed after `herd keys rotate` is signed with the new key', async () => {
    await refreshFeeds(env.svc);
    const [first] = await listKeys(keys);
    assert.equal(await signerOf('feeds/stable.json'), first!.fingerprint);
    const out = await herd('keys', 'rotate', '--data', join(env.dir, 'data'));
    const fresh = /new active key ([0-9A-F]{40})/.exec(out.stdout)![1]!;
    await refreshFeeds(env.svc);
    assert.equal(await signerOf('feeds/stable.json'), fresh);
    assert.equal(await signerOf('releases/testing.json'), fresh);
  });

  test('after `herd keys revoke --compromised` of the active key the service signs with the replacement', async () => {
    const active = (await listKeys(keys)).find((k) => k.status === 'active')!;
    const out = await herd('keys', 'revoke', active.fingerprint, '--compromised', '--reason', 'found on a paste site', '--data', join(env.dir, 'data'));
    const fresh = /new active key ([0-9A-F]{40})/.exec(out.stdout)![1]!;
    await refreshFeeds(env.svc);
    assert.equal(await signerOf('feeds/stable.json'), fresh);
  });
});
