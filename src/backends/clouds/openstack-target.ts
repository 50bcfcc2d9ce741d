import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors.ts';
import type { CloudTarget, ImageSource, PublishStep, StepState } from './cloud-target.ts';
import { GlanceClient, type Fetch } from './glance-client.ts';
import { resolveOpenStackAuth } from './openstack-auth.ts';

/** An OpenStack target of the targets file. Credentials are not here: they come from clouds.yaml or OS_*. */
export interface OpenStackTargetConfig {
  name: string;
  /** The cloud's name in clouds.yaml; without it, OS_CLOUD or the OS_* variables. */
  cloud?: string;
  /** The region whose image endpoint is used (default: the cloud's region_name / OS_REGION_NAME). */
  region?: string;
  /** The catalog interface of the image endpoint: public (default), internal or admin. */
  interface?: 'public' | 'internal' | 'admin';
  visibility?: 'private' | 'shared' | 'community' | 'public';
  /** Extra image properties (hw_firmware_type, hw_qemu_guest_agent, ...); they may not replace Herd's own. */
  properties?: Record<string, string>;
  /** Upload with interoperable import (glance-direct: stage, then import) instead of PUT /file. */
  import?: boolean;
  minRamMiB?: number;
}

export interface OpenStackTargetOptions {
  env?: NodeJS.ProcessEnv;
  /** clouds.yaml locations, first found wins (default: OS_CLIENT_CONFIG_FILE, ~/.config/openstack, /etc/openstack). */
  configPaths?: readonly string[];
  fetch?: Fetch;
  pollMs?: number;
  /** How long `wait` waits for Glance to make the image active (default one hour). */
  waitTimeoutMs?: number;
}

/** What Glance v2 says about an image (the fields used here; properties are top-level keys). */
interface GlanceImage {
  id: string;
  name?: string;
  status: string;
  size?: number | null;
  checksum?: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  created_at?: string;
  [property: string]: unknown;
}

/** Keys Herd sets itself; a target's `properties` may not replace them. */
const RESERVED = new Set(['id', 'name', 'status', 'visibility', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'owner',
  'protected', 'tags', 'checksum', 'size', 'os_hash_algo', 'os_hash_value', 'herd_release', 'herd_sha256']);

/** States in which Glance will never hold the image's data: a lookup passes over them. */
const DEAD = new Set(['killed', 'deleted', 'pending_delete']);

export const OPENSTACK_FORMATS = ['qcow2', 'raw'] as const;

interface Digests { sha512: string; md5: string }

function digestsOf(h: { sha512: Hash; md5: Hash }): Digests {
  return { sha512: h.sha512.digest('hex'), md5: h.md5.digest('hex') };
}

/** The source's digests without uploading it (a re-run that finds the data in Glance already). */
async function hashSource(image: ImageSource): Promise<Digests> {
  const h = { sha512: createHash('sha512'), md5: createHash('md5') };
  for await (const chunk of await image.open()) {
    h.sha512.update(chunk as Buffer);
    h.md5.update(chunk as Buffer);
  }
  return digestsOf(h);
}

export class OpenStackTarget implements CloudTarget {
  readonly platform = 'openstack';
  readonly formats = OPENSTACK_FORMATS;
  readonly regions: readonly string[];
  readonly name: string;
  private readonly glance?: GlanceClient;
  /** Missing or broken credentials are reported by check() (and by any step), not by the constructor. */
  private readonly authError?: unknown;
  private readonly pollMs: number;
  private readonly waitTimeoutMs: number;

  constructor(private readonly config: OpenStackTargetConfig, o: OpenStackTargetOptions = {}) {
    this.name = config.name;
    for (const [k, v] of Object.entries(config.properties ?? {})) {
      if (RESERVED.has(k)) throw new AppError('cloud.reserved_property', `target ${config.name}: property ${k} is set by Herd`, { hint: `remove ${k} from the target's properties` });
      if (typeof v !== 'string') throw new AppError('cloud.bad_property', `target ${config.name}: property ${k} must be a string (Glance stores text)`, { hint: `quote the value of ${k}` });
    }
    let region = config.region;
    try {
      const auth = resolveOpenStackAuth(config.name, { cloud: config.cloud, env: o.env ?? process.env, configPaths: o.configPaths });
      region ??= auth.region;
      this.glance = new GlanceClient(config.name, auth.type === 'none' || !config.interface ? auth : { ...auth, interface: config.interface }, o.fetch, config.region);
    } catch (e) {
      this.authError = e;
    }
    this.regions = [region ?? 'default'];
    this.pollMs = o.pollMs ?? 2000;
    this.waitTimeoutMs = o.waitTimeoutMs ?? 3600_000;
  }

  private client(): GlanceClient {
    if (!this.glance) throw this.authError;
    return this.glance;
  }

  async check(signal: AbortSignal): Promise<void> {
    // a token (from Keystone) and a listing (from Glance): both refuse bad credentials before any upload starts
    await this.client().json('GET', '/v2/images?limit=1', { signal, what: 'checking access to the image service' });
  }

  plan(image: ImageSource): PublishStep[] {
    if (!(OPENSTACK_FORMATS as readonly string[]).includes(image.format)) {
      throw new AppError('cloud.format', `target ${this.name}: Glance takes ${OPENSTACK_FORMATS.join(' or ')}, not ${image.format}`, { hint: 'publish the release\'s qcow2 or raw disk' });
    }
    const region = this.regions[0]!;
    return [
      { id: 'create', region, run: async (_s, signal) => ({ imageId: await this.findOrCreate(image, signal) }) },
      { id: 'upload', region, run: (s, signal) => this.upload(image, s, signal) },
      { id: 'wait', region, run: (s, signal) => this.waitActive(image, s, signal) },
    ];
  }

  imageIds(state: StepState): Record<string, string> {
    return state.active === true && typeof state.imageId === 'string' ? { [this.regions[0]!]: state.imageId } : {};
  }

  /** Deactivates the image (Glance then refuses its data to everyone but admins); gone or never filled is fine. */
  async retire(state: StepState, signal: AbortSignal): Promise<void> {
    if (typeof state.imageId !== 'string') return;
    const id = encodeURIComponent(state.imageId);
    const res = await this.client().request('POST', `/v2/images/${id}/actions/deactivate`, { signal, what: `deactivating image ${state.imageId}` });
    if (res.ok || res.status === 404) return;
    // Glance deactivates only active images (and takes a second deactivate as success); anything else has no data to withdraw
    const img = await this.getImage(state.imageId, signal);
    if (!img || img.status !== 'active') return;
    await this.client().ok('POST', `/v2/images/${id}/actions/deactivate`, { signal, what: `deactivating image ${state.imageId}` });
  }

  private async getImage(id: string, signal: AbortSignal): Promise<GlanceImage | undefined> {
    const res = await this.client().request('GET', `/v2/images/${encodeURIComponent(id)}`, { signal, what: `reading image ${id}`, headers: { Accept: 'application/json' } });
    if (res.status === 404) return undefined;
    if (!res.ok) return await this.client().json<GlanceImage>('GET', `/v2/images/${encodeURIComponent(id)}`, { signal, what: `reading image ${id}` });
    return await res.json() as GlanceImage;
  }

  /**
   * The release's image: the one an earlier run made (found by name and herd_release, so a crash between Glance's
   * answer and the saved state makes no second image), else a new one. Killed or deleted images are passed over.
   */
  private async findOrCreate(image: ImageSource, signal: AbortSignal): Promise<string> {
    const q = new URLSearchParams({ name: image.name, herd_release: image.releaseId, visibility: 'all', sort: 'created_at:asc' });
    const { images } = await this.client().json<{ images: GlanceImage[] }>('GET', `/v2/images?${q}`, { signal, what: `looking for image ${image.name}` });
    const live = images.filter((i) => !DEAD.has(i.status));
    const found = live.find((i) => i.status === 'active') ?? live[0];
    if (found) {
      if (found.herd_sha256 !== image.sha256) {
        throw new AppError('cloud.image_conflict', `target ${this.name}: image ${found.id} (${image.name}) of release ${image.releaseId} holds another file (herd_sha256 ${String(found.herd_sha256)}, this one ${image.sha256})`, {
          kind: 'conflict', hint: `delete it (openstack image delete ${found.id}) if it is a leftover, then publish again`,
        });
      }
      return found.id;
    }
    const created = await this.client().json<GlanceImage>('POST', '/v2/images', {
      signal, what: `creating image ${image.name}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(this.imageRecord(image)),
    });
    return created.id;
  }

  private imageRecord(image: ImageSource): Record<string, unknown> {
    const arch = image.arch === 'arm64' ? 'aarch64' : image.arch;
    return {
      ...this.config.properties,
      name: image.name,
      disk_format: image.format,
      container_format: 'bare',
      visibility: this.config.visibility ?? 'private',
      min_disk: image.minDiskGiB,
      min_ram: this.config.minRamMiB ?? 0,
      os_distro: image.distro.name.toLowerCase(),
      os_version: image.distro.version,
      hw_architecture: arch,
      // the property Nova's ImagePropertiesFilter reads (hw_architecture is its newer name)
      architecture: arch,
      hw_disk_bus: 'virtio',
      hw_scsi_model: 'virtio-scsi',
      herd_release: image.releaseId,
      herd_sha256: image.sha256,
    };
  }

  /**
   * Puts the data into the image once. By the image's status:
   * - queued: upload (PUT /file, or stage + import), hashing while streaming;
   * - active: an earlier run uploaded it; nothing is sent, the data is checked against the source;
   * - saving / importing: an earlier run's upload is still being written by Glance; sending a second copy would be
   *   refused (409), so `wait` waits for it and checks it. (A client that goes away mid-upload makes Glance put
   *   the image back to queued, so an image stays in saving only while Glance itself works on it.)
   * - uploading: staged by an earlier run but not imported: import it; `wait` checks the result against the source
   *   (a partial stage would show up there as a wrong hash).
   * - killed, deleted or gone: the data can never go into that image, so a new one is made (its id replaces the
   *   old one in the state).
   */
  private async upload(image: ImageSource, state: StepState, signal: AbortSignal): Promise<Record<string, unknown>> {
    let imageId = String(state.imageId);
    let img = await this.getImage(imageId, signal);
    if (!img || DEAD.has(img.status)) {
      imageId = await this.findOrCreate(image, signal);
      img = await this.getImage(imageId, signal);
    }
    const status = img?.status;
    if (status === 'queued') return { imageId, ...await this.send(image, imageId, signal) };
    if (status === 'uploading') {
      await this.startImport(imageId, signal);
      return { imageId, ...await hashSource(image) };
    }
    if (status === 'active' || status === 'saving' || status === 'importing') {
      const digests = await hashSource(image);
      if (status === 'active') this.verify(img!, digests);
      return { imageId, ...digests };
    }
    throw new AppError('cloud.image_state', `target ${this.name}: image ${imageId} is ${status ?? 'gone'} and cannot take data`, {
      kind: 'conflict', hint: status === 'deactivated' ? 'the image was retired; reactivate it (openstack image set --activate) or delete it and publish again' : `delete it (openstack image delete ${imageId}) and publish again`,
    });
  }

  private async send(image: ImageSource, imageId: string, signal: AbortSignal): Promise<Digests> {
    const h = { sha512: createHash('sha512'), md5: createHash('md5') };
    const hashing = new Transform({ transform(chunk: Buffer, _enc, done) { h.sha512.update(chunk); h.md5.update(chunk); done(null, chunk); } });
    const source = await image.open();
    source.on('error', (e) => hashing.destroy(e));
    // a failed or aborted upload must close the source too (an open temp disk keeps its GiBs allocated)
    hashing.once('close', () => { if (!source.destroyed) source.destroy(); });
    const body = Readable.toWeb(source.pipe(hashing)) as unknown as ReadableStream;
    const id = encodeURIComponent(imageId);
    const headers = { 'Content-Type': 'application/octet-stream' };
    try {
      await this.putData(image, imageId, id, body, headers, signal);
    } finally {
      if (!source.destroyed) source.destroy();
    }
    return digestsOf(h);
  }

  private async putData(image: ImageSource, imageId: string, id: string, body: ReadableStream, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
    if (this.config.import) {
      await this.requireGlanceDirect(signal);
      await this.client().ok('PUT', `/v2/images/${id}/stage`, { signal, body, headers, what: `staging ${image.fileName} into image ${imageId}` });
      await this.startImport(imageId, signal);
    } else {
      await this.client().ok('PUT', `/v2/images/${id}/file`, { signal, body, headers, what: `uploading ${image.fileName} into image ${imageId}` });
    }
  }

  private async requireGlanceDirect(signal: AbortSignal): Promise<void> {
    const info = await this.client().json<{ 'import-methods'?: { value?: string[] } }>('GET', '/v2/info/import', { signal, what: 'reading the import methods' });
    const methods = info['import-methods']?.value ?? [];
    if (!methods.includes('glance-direct')) {
      throw new AppError('cloud.import_unavailable', `target ${this.name}: this Glance does not offer glance-direct; its import methods: ${methods.join(', ') || 'none'}`, { hint: 'remove `import: true` from the target to upload with PUT /file' });
    }
  }

  private async startImport(imageId: string, signal: AbortSignal): Promise<void> {
    const res = await this.client().request('POST', `/v2/images/${encodeURIComponent(imageId)}/import`, {
      signal, what: `importing image ${imageId}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: { name: 'glance-direct' } }),
    });
    // 409: an import of it is under way already (a re-run); `wait` sees it through
    if (res.ok || res.status === 409) return;
    await this.client().ok('POST', `/v2/images/${encodeURIComponent(imageId)}/import`, {
      signal, what: `importing image ${imageId}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: { name: 'glance-direct' } }),
    });
  }

  /** Glance's own digest of what it stored must be the source's (os_hash_value by its algorithm, else the md5 checksum). */
  private verify(img: GlanceImage, d: Digests): void {
    const algo = img.os_hash_algo;
    const ok = algo === 'sha512' && img.os_hash_value ? img.os_hash_value === d.sha512 : img.checksum === d.md5;
    if (!ok) {
      throw new AppError('cloud.image_mismatch', `target ${this.name}: image ${img.id} holds other data than the source (Glance: ${algo ?? 'md5'} ${img.os_hash_value ?? img.checksum}, source sha512 ${d.sha512})`, {
        kind: 'conflict', hint: `delete it (openstack image delete ${img.id}) and publish again`,
      });
    }
  }

  /**
   * Polls until the image is active and holds the source's data. A killed image fails the step and stays for its
   * log to be read; once it is deleted (or when an upload never arrived: queued), a re-run uploads again from here,
   * into a new image if need be, so resuming at this step needs no earlier one to run again.
   */
  private async waitActive(image: ImageSource, state: StepState, signal: AbortSignal): Promise<Record<string, unknown>> {
    let current: Record<string, unknown> = { ...state };
    let uploadedHere = false;
    const deadline = Date.now() + this.waitTimeoutMs;
    for (;;) {
      const imageId = String(current.imageId);
      const img = await this.getImage(imageId, signal);
      if (img?.status === 'active') {
        const recorded = typeof current.sha512 === 'string' && typeof current.md5 === 'string' ? { sha512: current.sha512, md5: current.md5 } : await hashSource(image);
        this.verify(img, recorded);
        return { ...(uploadedHere ? current : {}), active: true };
      }
      if (img?.status === 'killed') {
        throw new AppError('cloud.image_killed', `target ${this.name}: Glance killed image ${imageId} (${image.name}) while storing its data`, {
          kind: 'dependency', hint: `Glance's log (or GET /v2/images/${imageId}/tasks after an import) says why; delete it (openstack image delete ${imageId}) and publish again to upload into a new image`,
        });
      }
      if (!uploadedHere && (!img || img.status === 'queued' || DEAD.has(img.status))) {
        current = { ...current, ...await this.upload(image, current, signal) };
        uploadedHere = true;
        continue;
      }
      if (!img || !['saving', 'importing', 'uploading', 'queued'].includes(img.status)) {
        throw new AppError('cloud.image_state', `target ${this.name}: image ${imageId} went to ${img?.status ?? 'gone'} before it was active`, { kind: 'conflict' });
      }
      if (Date.now() > deadline) {
        throw new AppError('cloud.image_timeout', `target ${this.name}: image ${imageId} is still ${img.status} after ${Math.round(this.waitTimeoutMs / 1000)} s`, {
          kind: 'dependency', hint: `if Glance is stuck on it, delete it (openstack image delete ${imageId}) and publish again`,
        });
      }
      await sleep(this.pollMs, undefined, { signal });
    }
  }
}
