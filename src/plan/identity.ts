import { createHash } from 'node:crypto';

/**
 * Fixed identifiers derived from the recipe digest: filesystem UUIDs, GPT GUIDs, the ext4 hash seed.
 * Same recipe ⇒ same ids ⇒ bit-identical disks; a changed recipe gets new ones.
 */
export function derivedUuid(digest: string, label: string): string {
  const h = createHash('sha256').update(`herd:${digest}:${label}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40; // version 4 layout
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A FAT volume id (8 hex digits, shown as XXXX-XXXX in fstab). */
export function derivedVolumeId(digest: string, label: string): string {
  return createHash('sha256').update(`herd:${digest}:${label}`).digest('hex').slice(0, 8).toUpperCase();
}

export interface DiskIdentity {
  rootUuid: string;
  hashSeed: string;
  espVolumeId: string;
  diskGuid: string;
  rootPartUuid: string;
  biosPartUuid: string;
  espPartUuid: string;
}

export function diskIdentity(digest: string): DiskIdentity {
  return {
    rootUuid: derivedUuid(digest, 'root-fs'),
    hashSeed: derivedUuid(digest, 'ext4-hash-seed'),
    espVolumeId: derivedVolumeId(digest, 'esp-volume'),
    diskGuid: derivedUuid(digest, 'gpt-disk'),
    rootPartUuid: derivedUuid(digest, 'gpt-root'),
    biosPartUuid: derivedUuid(digest, 'gpt-bios'),
    espPartUuid: derivedUuid(digest, 'gpt-esp'),
  };
}
