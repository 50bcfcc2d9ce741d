import type { ArtifactStore } from '../backends/artifacts/artifact-store.ts';
import { AppError } from '../errors.ts';
import { readKeyring } from '../keys/keyring.ts';
import { listArtifacts } from '../store/artifacts.ts';
import { listReleases } from '../store/releases.ts';
import { documentsFor } from './republish.ts';
import type { ReleaseServices } from './services.ts';

export interface MirrorReport {
  /** Artifact files (images and their signatures) sent this run, and those the mirror already held. */
  copied: string[];
  skipped: number;
  /** Feed documents written (every run: they are re-signed with the mirror's URL and a fresh expiry). */
  documents: number;
}

/**
 * Copies what this service serves to a mirror (an S3 bucket or a folder, any ArtifactStore) under the same paths:
 * `artifacts/…` for every published release's files and signatures, then the feeds, indexes and streams, signed
 * again with links under the mirror's own URL, and `keys/keyring.asc`. Files go first and documents last, so a
 * mirror never lists a file it does not hold. A file the mirror already has at the right size is skipped (run it
 * again to resume an interrupted copy); each copied file is checked by the sha256 the mirror reports back.
 * Feeds expire: run it again before they do (a week by default).
 */
export async function mirrorService(svc: ReleaseServices, dest: ArtifactStore, o: { publicUrl: string; keysDir?: string; log?: (l: string) => void }): Promise<MirrorReport> {
  const log = o.log ?? (() => {});
  const releases = await listReleases(svc.store.db, { state: 'published' });
  const artifacts = await listArtifacts(svc.store.db, releases.map((r) => r.id));
  const report: MirrorReport = { copied: [], skipped: 0, documents: 0 };
  for (const a of artifacts) {
    for (const [key, sha256] of [[a.location, a.sha256], [a.signature, undefined]] as const) {
      const at = `artifacts/${key}`;
      const source = await svc.artifacts.stat(key);
      if (!source) throw new AppError('mirror.missing_source', `the artifact store lacks ${key}`, { kind: 'dependency', hint: 'herd verify the feeds; a release whose files are gone should be revoked' });
      const there = await dest.stat(at);
      if (there && there.size === source.size) { report.skipped++; continue; }
      const put = await dest.put(at, (await svc.artifacts.open(key)).body);
      if (put.size !== source.size || (sha256 && put.sha256 !== sha256)) {
        throw new AppError('mirror.corrupt', `the mirror holds other bytes than were sent for ${at}`, { kind: 'dependency', hint: 'run herd mirror again; the file is sent again' });
      }
      report.copied.push(at);
      log(`copied ${at}`);
    }
  }
  const docs = await documentsFor(svc.store, await svc.signer(), { ...svc.feed, publicUrl: o.publicUrl });
  for (const d of docs) await dest.put(d.path, new TextEncoder().encode(d.body));
  if (o.keysDir) await dest.put('keys/keyring.asc', new TextEncoder().encode(await readKeyring(o.keysDir)));
  report.documents = docs.length;
  log(`wrote ${docs.length} documents with links under ${o.publicUrl}`);
  return report;
}
