import { type Channel, promoteRelease as promoteInStore, type Release, revokeRelease as revokeInStore } from '../store/releases.ts';
import { AppError } from '../errors.ts';
import { republish } from './republish.ts';
import type { ReleaseServices } from './services.ts';

/** testing → stable (or back); the feeds of both channels change in the same transaction. */
export async function promoteRelease(svc: ReleaseServices, id: string, to: Channel): Promise<Release> {
  return republish(svc.store, await svc.signer(), svc.feed, (tx) => promoteInStore(tx, id, to));
}

/** Takes a release out of every feed's current set and lists it, with the reason, under `revoked`. */
export async function revokeRelease(svc: ReleaseServices, id: string, reason: string): Promise<Release> {
  if (reason.trim().length < 3) {
    throw new AppError('release.reason_required', 'a revocation needs a reason', { hint: 'say why, e.g. "CVE-2026-1234 in openssl"' });
  }
  return republish(svc.store, await svc.signer(), svc.feed, (tx) => revokeInStore(tx, id, reason.trim()));
}

/** Re-signs every feed with a fresh generation and expiry; run it before feeds expire (the server does, daily). */
export async function refreshFeeds(svc: ReleaseServices): Promise<void> {
  await republish(svc.store, await svc.signer(), svc.feed);
}
