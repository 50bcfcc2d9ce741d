import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { type Role, ROLES } from '../../src/catalog/roles.ts';
import { generateKey } from '../../src/keys/keyring.ts';
import { openServices } from '../../src/release/open-services.ts';
import { publishRelease } from '../../src/release/publish-release.ts';
import type { ChangelogSummary, ReleaseChangelog } from '../../src/release/release-changelog.ts';
import { putReleaseChangelog } from '../../src/store/release-changelogs.ts';
import { promoteRelease, revokeRelease } from '../../src/release/release-actions.ts';
import type { ReleaseServices } from '../../src/release/services.ts';
import { createAccount } from '../../src/store/accounts.ts';
import { listArtifacts, type Artifact } from '../../src/store/artifacts.ts';
import type { Release } from '../../src/store/releases.ts';
import { createToken } from '../../src/store/tokens.ts';
import { writeBuildOutput } from '../release/fixtures/build-output.ts';

export const PASSWORD = 'correct horse battery staple';

/** One account per role, named for it, all with PASSWORD. */
export const ACCOUNTS: Record<Role, string> = { viewer: 'vera', contributor: 'carl', reviewer: 'rita', publisher: 'pete', admin: 'ann' };

export interface SeededRelease { release: Release; artifacts: Artifact[] }

export interface Portal {
  url: string;
  svc: ReleaseServices;
  dataDir: string;
  /** base: an older release, revoked with REVOKE_REASON, and the current one, promoted to stable; stack-python: one in testing. */
  releases: { baseOld: SeededRelease; base: SeededRelease; python: SeededRelease };
  /** An API token per role, for setting up what a test then looks at in the browser. */
  tokens: Record<Role, string>;
  close(): Promise<void>;
}

export const REVOKE_REASON = 'CVE-2026-0001 in openssl';

/**
 * The real service (the same startServer `herd serve` runs, no embedded worker) on 127.0.0.1 with a random
 * port, over a fresh data dir: a signing key, real published releases (image files with sha256 and
 * signatures, from build output folders as `herd build --test` leaves them) and an account per role.
 */
export async function startPortal(): Promise<Portal> {
  const dir = mkdtempSync(join(tmpdir(), 'herd-e2e-'));
  const dataDir = join(dir, 'data');
  await generateKey(join(dataDir, 'keys'));
  const svc = await openServices({ dataDir });
  let server: RunningServer | undefined;
  try {
    server = await startServer(svc, { host: '127.0.0.1', port: 0, dataDir, worker: false, respin: false });
    // as `herd serve` does with no stored public URL: feeds link to where it listens
    svc.feed.publicUrl = server.url;
    const releases = await seedReleases(svc, dir);
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) {
      await createAccount(svc.store.db, { name: ACCOUNTS[role], role, password: PASSWORD });
      tokens[role] = (await createToken(svc.store.db, { role, name: `e2e-${role}` })).secret;
    }
    const running = server;
    return {
      url: running.url, svc, dataDir, releases, tokens,
      async close() { await running.close(); await svc.close(); rmSync(dir, { recursive: true, force: true }); },
    };
  } catch (e) {
    await server?.close();
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function publish(svc: ReleaseServices, dir: string, name: string, version: string, seed: string): Promise<SeededRelease> {
  const out = writeBuildOutput(join(dir, `out-${name}-${version}`), { name, version, seed, formats: ['qcow2', 'raw.xz'], size: 32 * 1024 });
  const release = await publishRelease(svc, out);
  return { release, artifacts: await listArtifacts(svc.store.db, [release.id]) };
}

export const CHANGELOG_CVE = 'CVE-2026-1111';

function changelogFixture(against: { id: string; version: string }): { summary: ChangelogSummary; changelog: ReleaseChangelog } {
  const upgraded: ReleaseChangelog['upgraded'] = [
    { name: 'hello', arch: 'all', from: '2.10-3', to: '2.10-4', security: false, cves: [], entries: [], missing: 'the package carries no changelog of its own' },
    { name: 'openssl', arch: 'amd64', from: '3.5.1-1', to: '3.5.1-1+deb13u1', security: true, cves: [CHANGELOG_CVE],
      entries: [{ version: '3.5.1-1+deb13u1', distribution: 'trixie-security', urgency: 'medium', date: 'Tue, 01 Dec 2026 10:00:00 +0000', cves: [CHANGELOG_CVE], text: `  * Fix ${CHANGELOG_CVE}: buffer overread in X.509 parsing.` }] },
  ];
  const summary: ChangelogSummary = { against: { id: against.id, version: against.version }, added: 1, removed: 0, upgraded: 2, downgraded: 0, security: 1, cves: [CHANGELOG_CVE] };
  return { summary, changelog: { schemaVersion: 1, summary, added: [{ name: 'fresh', arch: 'all', version: '1.0' }], removed: [], upgraded, downgraded: [] } };
}

async function seedReleases(svc: ReleaseServices, dir: string): Promise<Portal['releases']> {
  const baseOld = await publish(svc, dir, 'base', '2026.11.20.0', 'old');
  await revokeRelease(svc, baseOld.release.id, REVOKE_REASON);
  const base = await publish(svc, dir, 'base', '2026.11.25.0', 'new');
  await promoteRelease(svc, base.release.id, 'stable');
  // the fixtures' builds carry no .debs, so the changelog base was published with lists no entries: give it one
  // as a build of real packages would have (test/release/release-changelog.test.ts makes those from real .debs)
  await svc.store.db.deleteFrom('release_changelogs').where('release_id', '=', base.release.id).execute();
  await putReleaseChangelog(svc.store.db, base.release.id, { againstId: baseOld.release.id, ...changelogFixture(baseOld.release) });
  const python = await publish(svc, dir, 'stack-python', '2026.11.25.0', 'py');
  return { baseOld, base, python };
}
