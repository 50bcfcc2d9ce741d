import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A protocol-level fake of the EC2 Query API (Version 2016-11-15) for the calls Herd's EC2 target makes, on 127.0.0.1.
 * It answers in the XML the real API sends (the real SDK and the real AWS CLI parse it), routes by the region in the
 * SigV4 credential scope, keeps per-region state, checks the parameters EC2 requires, honours ClientToken like EC2
 * (same token and parameters: the same answer; other parameters: IdempotentParameterMismatch) and can inject failures.
 * The S3 side is a real s3rver: ImportSnapshot reads the object's size from it over HTTP.
 */

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export interface FakeImage {
  imageId: string; name: string; description?: string; state: 'pending' | 'available' | 'failed';
  architecture: string; rootDeviceName: string; virtualizationType: string; enaSupport?: boolean;
  bootMode?: string; imdsSupport?: string; creationDate: string; deprecationTime?: string;
  blockDevices: { deviceName: string; snapshotId: string; volumeSize: number; deleteOnTermination: boolean; volumeType: string }[];
  tags: Record<string, string>; launchGroups: Set<string>; launchUsers: Set<string>;
  sourceImageId?: string; sourceRegion?: string; pendingPolls: number;
}
export interface FakeImportTask {
  importTaskId: string; description?: string; format: string; bucket: string; key: string; size?: number;
  status: 'active' | 'completed' | 'deleted'; statusMessage?: string; snapshotId?: string; pollsLeft: number; tags: Record<string, string>;
}
export interface FakeSnapshot { snapshotId: string; volumeSize: number; fromTask: string }
interface RegionState {
  images: Map<string, FakeImage>; tasks: Map<string, FakeImportTask>; snapshots: Map<string, FakeSnapshot>;
  /** action + ClientToken → the parameters and the answer of the first call. */
  tokens: Map<string, { params: string; xml: string }>;
}
export interface FakeCall { region: string; action: string; params: Record<string, string>; accessKey: string }
interface Injection { action: string; region?: string; times: number; status: number; code: string; message: string }

export interface FakeEc2Options {
  regions: string[];
  /** s3rver's URL: an import reads the object there. */
  s3Endpoint: string;
  accountId?: string;
  /** DescribeImportSnapshotTasks answers "active" this many times before the task completes. */
  importPolls?: number;
  /** A new image (registered or copied) is pending for this many DescribeImages. */
  imagePolls?: number;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
const bad = (code: string, message: string) => new ApiError(400, code, message);
const missing = (p: string) => bad('MissingParameter', `The request must contain the parameter ${p}`);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, v: string | number | boolean | undefined) => (v === undefined ? '' : `<${name}>${esc(String(v))}</${name}>`);
const items = <T>(name: string, xs: Iterable<T>, f: (x: T) => string) => `<${name}>${[...xs].map((x) => `<item>${f(x)}</item>`).join('')}</${name}>`;
const hexId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
const tagSet = (tags: Record<string, string>) => items('tagSet', Object.entries(tags), ([k, v]) => el('key', k) + el('value', v));

/** `Prefix.1`, `Prefix.2`, … (scalars) or the indices having any `Prefix.N.` key (structures). */
function indices(p: Record<string, string>, prefix: string): number[] {
  const out = new Set<number>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)(\\.|$)`);
  for (const k of Object.keys(p)) { const m = re.exec(k); if (m) out.add(Number(m[1])); }
  return [...out].sort((a, b) => a - b);
}
const list = (p: Record<string, string>, prefix: string) => indices(p, prefix).map((i) => p[`${prefix}.${i}`]!).filter((v) => v !== undefined);
function tagsOf(p: Record<string, string>, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const i of indices(p, 'TagSpecification')) {
    const rt = p[`TagSpecification.${i}.ResourceType`];
    if (!rt) throw missing(`TagSpecification.${i}.ResourceType`);
    if (rt !== resourceType) throw bad('InvalidParameterValue', `'${rt}' is not a valid taggable resource type for this operation.`);
    for (const j of indices(p, `TagSpecification.${i}.Tag`)) {
      const key = p[`TagSpecification.${i}.Tag.${j}.Key`];
      if (!key) throw bad('InvalidParameterValue', 'Tag keys must not be empty');
      tags[key] = p[`TagSpecification.${i}.Tag.${j}.Value`] ?? '';
    }
  }
  return tags;
}
const bool = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw bad('InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected a boolean.`);
  return v === 'true';
};

export class FakeEc2Server {
  readonly calls: FakeCall[] = [];
  /** Access keys answered with AuthFailure (revoked or unknown credentials). */
  readonly refusedKeys = new Set<string>();
  readonly accountId: string;
  private readonly state = new Map<string, RegionState>();
  private injections: Injection[] = [];
  private server?: Server;
  url = '';

  constructor(readonly o: FakeEc2Options) {
    this.accountId = o.accountId ?? '123456789012';
    for (const r of o.regions) this.state.set(r, { images: new Map(), tasks: new Map(), snapshots: new Map(), tokens: new Map() });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => { this.server!.closeAllConnections(); this.server!.close(() => resolve()); });
  }

  region(r: string): RegionState {
    const s = this.state.get(r);
    if (!s) throw new Error(`the fake does not serve ${r}`);
    return s;
  }
  images(r: string): FakeImage[] { return [...this.region(r).images.values()]; }
  snapshots(r: string): FakeSnapshot[] { return [...this.region(r).snapshots.values()]; }
  tasks(r: string): FakeImportTask[] { return [...this.region(r).tasks.values()]; }
  callsOf(action: string, region?: string): FakeCall[] { return this.calls.filter((c) => c.action === action && (!region || c.region === region)); }

  /** The next `times` calls of `action` (in `region`, or any) fail: RequestLimitExceeded 503 by default. */
  inject(action: string, o: { times?: number; region?: string; status?: number; code?: string; message?: string } = {}): void {
    this.injections.push({
      action, region: o.region, times: o.times ?? 1, status: o.status ?? 503, code: o.code ?? 'RequestLimitExceeded',
      message: o.message ?? 'Request limit exceeded.',
    });
  }
  clearInjections(): void { this.injections = []; }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const requestId = randomUUID();
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const fail = (e: ApiError) => send(e.status, `<Response><Errors><Error>${el('Code', e.code)}${el('Message', e.message)}</Error></Errors>${el('RequestID', requestId)}</Response>`);
    try {
      const auth = /Credential=([^/]+)\/\d{8}\/([a-z0-9-]+)\/ec2\/aws4_request/.exec(req.headers.authorization ?? '');
      if (req.method !== 'POST') throw bad('InvalidAction', 'The EC2 Query API takes POST requests here');
      if (!auth) throw new ApiError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
      const [, accessKey, region] = auth as unknown as [string, string, string];
      const action = params.Action ?? '';
      this.calls.push({ region, action, params, accessKey });
      if (this.refusedKeys.has(accessKey)) throw new ApiError(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
      if (params.Version !== '2016-11-15') throw bad('InvalidParameterValue', `Invalid API version: ${params.Version}`);
      if (!this.state.has(region)) throw new ApiError(401, 'AuthFailure', `Credential should be scoped to a valid region, not '${region}'.`);
      const inj = this.injections.find((i) => i.times > 0 && i.action === action && (!i.region || i.region === region));
      if (inj) { inj.times--; throw new ApiError(inj.status, inj.code, inj.message); }
      const handler = this.actions[action];
      if (!handler) throw bad('InvalidAction', `The action ${action} is not valid for this web service.`);
      const body = await handler(region, params);
      send(200, `<${action}Response xmlns="${NS}">${el('requestId', requestId)}${body}</${action}Response>`);
    } catch (e) {
      fail(e instanceof ApiError ? e : new ApiError(500, 'InternalError', `An internal error has occurred: ${(e as Error).message}`));
    }
  }

  /** ClientToken idempotency: the first answer for (action, token) is the answer, as long as the parameters match. */
  private async idempotent(region: string, action: string, params: Record<string, string>, make: () => Promise<string>): Promise<string> {
    const token = params.ClientToken;
    if (!token) return make();
    if (token.length > 64) throw bad('InvalidParameterValue', 'ClientToken must be at most 64 characters');
    const { ClientToken: _t, ...rest } = params;
    const key = `${action}\0${token}`;
    const sig = JSON.stringify(Object.entries(rest).sort());
    const seen = this.region(region).tokens.get(key);
    if (seen) {
      if (seen.params !== sig) throw bad('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted or has different parameters. Use a new client token.');
      return seen.xml;
    }
    const xml = await make();
    this.region(region).tokens.set(key, { params: sig, xml });
    return xml;
  }

  private image(region: string, id: string | undefined, param = 'ImageId'): FakeImage {
    if (!id) throw missing(param);
    if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw bad('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
    const img = this.region(region).images.get(id);
    if (!img) throw bad('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    return img;
  }

  private checkName(region: string, name: string | undefined): string {
    if (!name) throw missing('Name');
    if (!/^[A-Za-z0-9()[\]./\-'@_ ]{3,128}$/.test(name)) {
      throw bad('InvalidAMIName.Malformed', `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`);
    }
    if ([...this.region(region).images.values()].some((i) => i.name === name)) {
      throw bad('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${[...this.region(region).images.values()].find((i) => i.name === name)!.imageId}`);
    }
    return name;
  }

  private imageXml(img: FakeImage): string {
    return el('imageId', img.imageId) + el('imageLocation', `${this.accountId}/${img.name}`) + el('imageState', img.state)
      + el('imageOwnerId', this.accountId) + el('creationDate', img.creationDate) + el('isPublic', img.launchGroups.has('all'))
      + el('architecture', img.architecture) + el('imageType', 'machine') + el('name', img.name) + el('description', img.description)
      + el('rootDeviceType', 'ebs') + el('rootDeviceName', img.rootDeviceName)
      + items('blockDeviceMapping', img.blockDevices, (b) => el('deviceName', b.deviceName) + '<ebs>' + el('snapshotId', b.snapshotId)
        + el('volumeSize', b.volumeSize) + el('deleteOnTermination', b.deleteOnTermination) + el('volumeType', b.volumeType)
        + el('encrypted', false) + '</ebs>')
      + el('virtualizationType', img.virtualizationType) + tagSet(img.tags) + el('hypervisor', 'xen') + el('enaSupport', img.enaSupport)
      + el('bootMode', img.bootMode) + el('imdsSupport', img.imdsSupport) + el('deprecationTime', img.deprecationTime)
      + el('sourceImageId', img.sourceImageId) + el('sourceImageRegion', img.sourceRegion);
  }

  private taskXml(t: FakeImportTask): string {
    return el('description', t.description) + el('importTaskId', t.importTaskId) + '<snapshotTaskDetail>'
      + el('diskImageSize', t.status === 'completed' ? t.size : undefined) + el('encrypted', false) + el('format', t.format)
      + el('progress', t.status === 'active' ? '19' : undefined) + el('snapshotId', t.snapshotId) + el('status', t.status)
      + el('statusMessage', t.statusMessage) + '<userBucket>' + el('s3Bucket', t.bucket) + el('s3Key', t.key) + '</userBucket>'
      + '</snapshotTaskDetail>' + tagSet(t.tags);
  }

  private async objectSize(bucket: string, key: string): Promise<number | undefined> {
    const res = await fetch(`${this.o.s3Endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'HEAD' });
    if (res.status !== 200) return undefined;
    return Number(res.headers.get('content-length'));
  }

  private readonly actions: Record<string, (region: string, p: Record<string, string>) => Promise<string>> = {
    DescribeRegions: async (_region, p) => {
      const names = list(p, 'RegionName');
      for (const n of names) if (!this.state.has(n)) throw bad('InvalidParameterValue', `Invalid region: ${n}`);
      const shown = names.length ? names : this.o.regions;
      return items('regionInfo', shown, (r) => el('regionName', r) + el('regionEndpoint', `ec2.${r}.amazonaws.com`) + el('optInStatus', 'opt-in-not-required'));
    },

    ImportSnapshot: async (region, p) => this.idempotent(region, 'ImportSnapshot', p, async () => {
      const format = p['DiskContainer.Format'];
      if (!format) throw missing('DiskContainer.Format');
      if (!['VHD', 'VMDK', 'RAW', 'VHDX'].includes(format.toUpperCase())) throw bad('InvalidParameter', `Invalid format ${format}: use VHD, VMDK or RAW`);
      const bucket = p['DiskContainer.UserBucket.S3Bucket'];
      const key = p['DiskContainer.UserBucket.S3Key'];
      if (!p['DiskContainer.Url'] && (!bucket || !key)) throw missing('DiskContainer.UserBucket');
      const size = await this.objectSize(bucket!, key!);
      const task: FakeImportTask = {
        importTaskId: hexId('import-snap'), description: p.Description, format: format.toUpperCase(), bucket: bucket!, key: key!, size,
        status: 'active', statusMessage: 'pending', pollsLeft: this.o.importPolls ?? 2, tags: tagsOf(p, 'import-snapshot-task'),
      };
      // EC2 accepts the request and fails the task later when it cannot read the object.
      if (!size) Object.assign(task, { status: 'deleted', statusMessage: `ClientError: Unable to access the S3 object s3://${bucket}/${key} or it is empty` });
      this.region(region).tasks.set(task.importTaskId, task);
      return this.taskXml(task);
    }),

    DescribeImportSnapshotTasks: async (region, p) => {
      const ids = list(p, 'ImportTaskId');
      const rs = this.region(region);
      for (const id of ids) if (!rs.tasks.has(id)) throw bad('InvalidConversionTaskId.Malformed', `The import task ID '${id}' is malformed or does not exist`);
      const shown = ids.length ? ids.map((id) => rs.tasks.get(id)!) : [...rs.tasks.values()];
      for (const t of shown) {
        if (t.status !== 'active') continue;
        if (t.pollsLeft-- > 0) { t.statusMessage = 'converting'; continue; }
        const snap: FakeSnapshot = { snapshotId: hexId('snap'), volumeSize: Math.max(1, Math.ceil((t.size ?? 0) / 2 ** 30)), fromTask: t.importTaskId };
        rs.snapshots.set(snap.snapshotId, snap);
        Object.assign(t, { status: 'completed', statusMessage: undefined, snapshotId: snap.snapshotId });
      }
      return items('importSnapshotTaskSet', shown, (t) => this.taskXml(t));
    },

    RegisterImage: async (region, p) => {
      const name = this.checkName(region, p.Name);
      if (p.ImageLocation) throw bad('InvalidParameterCombination', 'instance-store images are not supported by this fake');
      const root = p.RootDeviceName;
      if (!root) throw missing('RootDeviceName');
      const blockDevices = indices(p, 'BlockDeviceMapping').map((i) => {
        const b = (k: string) => p[`BlockDeviceMapping.${i}.${k}`];
        const deviceName = b('DeviceName');
        if (!deviceName) throw missing(`BlockDeviceMapping.${i}.DeviceName`);
        const snapshotId = b('Ebs.SnapshotId');
        if (!snapshotId) throw bad('InvalidBlockDeviceMapping', `The device ${deviceName} needs a snapshot`);
        const snap = this.region(region).snapshots.get(snapshotId);
        if (!snap) throw bad('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
        const volumeType = b('Ebs.VolumeType') ?? 'gp2';
        if (!['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'].includes(volumeType)) throw bad('InvalidParameterValue', `Value (${volumeType}) for parameter volumeType is invalid.`);
        const volumeSize = b('Ebs.VolumeSize') === undefined ? snap.volumeSize : Number(b('Ebs.VolumeSize'));
        if (!(volumeSize >= snap.volumeSize)) throw bad('InvalidBlockDeviceMapping', `Volume of size ${volumeSize}GB is smaller than snapshot '${snapshotId}', expect size >= ${snap.volumeSize}GB`);
        return { deviceName, snapshotId, volumeSize, deleteOnTermination: bool(b('Ebs.DeleteOnTermination'), 'DeleteOnTermination') ?? true, volumeType };
      });
      if (!blockDevices.some((d) => d.deviceName === root)) throw bad('InvalidBlockDeviceMapping', `The root device name ${root} has no block device mapping`);
      const architecture = p.Architecture ?? 'i386';
      if (!['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'].includes(architecture)) throw bad('InvalidParameterValue', `Value (${architecture}) for parameter architecture is invalid.`);
      const virtualizationType = p.VirtualizationType ?? 'paravirtual';
      if (!['hvm', 'paravirtual'].includes(virtualizationType)) throw bad('InvalidParameterValue', `Value (${virtualizationType}) for parameter virtualizationType is invalid.`);
      if (p.BootMode && !['legacy-bios', 'uefi', 'uefi-preferred'].includes(p.BootMode)) throw bad('InvalidParameterValue', `Value (${p.BootMode}) for parameter BootMode is invalid.`);
      if (p.ImdsSupport && p.ImdsSupport !== 'v2.0') throw bad('InvalidParameterValue', `Value (${p.ImdsSupport}) for parameter ImdsSupport is invalid.`);
      const enaSupport = bool(p.EnaSupport, 'EnaSupport');
      if (enaSupport && virtualizationType !== 'hvm') throw bad('InvalidParameterCombination', 'ENA is only supported for HVM images');
      const img: FakeImage = {
        imageId: hexId('ami'), name, description: p.Description, state: 'pending', architecture, rootDeviceName: root, virtualizationType,
        enaSupport, bootMode: p.BootMode, imdsSupport: p.ImdsSupport, creationDate: new Date().toISOString(), blockDevices,
        tags: tagsOf(p, 'image'), launchGroups: new Set(), launchUsers: new Set(), pendingPolls: this.o.imagePolls ?? 1,
      };
      this.region(region).images.set(img.imageId, img);
      return el('imageId', img.imageId);
    },

    CopyImage: async (region, p) => this.idempotent(region, 'CopyImage', p, async () => {
      if (!p.SourceRegion) throw missing('SourceRegion');
      if (!this.state.has(p.SourceRegion)) throw bad('InvalidParameterValue', `Invalid source region: ${p.SourceRegion}`);
      const src = this.image(p.SourceRegion, p.SourceImageId, 'SourceImageId');
      if (src.state !== 'available') throw bad('IncorrectState', `Image ${src.imageId} is not in a valid state for copying: ${src.state}`);
      const name = this.checkName(region, p.Name);
      const rs = this.region(region);
      const blockDevices = src.blockDevices.map((b) => {
        const snap: FakeSnapshot = { snapshotId: hexId('snap'), volumeSize: b.volumeSize, fromTask: `copy of ${b.snapshotId}` };
        rs.snapshots.set(snap.snapshotId, snap);
        return { ...b, snapshotId: snap.snapshotId };
      });
      const img: FakeImage = {
        ...src, imageId: hexId('ami'), name, description: p.Description ?? src.description, state: 'pending', blockDevices,
        creationDate: new Date().toISOString(), deprecationTime: undefined, tags: bool(p.CopyImageTags, 'CopyImageTags') ? { ...src.tags } : {},
        launchGroups: new Set(), launchUsers: new Set(), sourceImageId: src.imageId, sourceRegion: p.SourceRegion, pendingPolls: this.o.imagePolls ?? 1,
      };
      rs.images.set(img.imageId, img);
      return el('imageId', img.imageId);
    }),

    DescribeImages: async (region, p) => {
      const ids = list(p, 'ImageId');
      const owners = list(p, 'Owner');
      if (p.MaxResults !== undefined) {
        if (ids.length) throw bad('InvalidParameterCombination', 'The parameter imageIdsSet cannot be used with the parameter maxResults');
        const n = Number(p.MaxResults);
        if (!(n >= 5 && n <= 1000)) throw bad('InvalidParameterValue', `Value ( ${p.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
      }
      let shown = ids.map((id) => this.image(region, id));
      if (!ids.length) shown = this.images(region);
      for (const o of owners) if (o !== 'self' && o !== this.accountId) shown = [];
      for (const i of indices(p, 'Filter')) {
        const name = p[`Filter.${i}.Name`];
        const values = list(p, `Filter.${i}.Value`);
        const get = (img: FakeImage): string | undefined => {
          if (name === 'name') return img.name;
          if (name === 'state') return img.state;
          if (name?.startsWith('tag:')) return img.tags[name.slice(4)];
          throw bad('InvalidParameterValue', `The filter '${name}' is invalid`);
        };
        shown = shown.filter((img) => values.includes(get(img) ?? '\0'));
      }
      for (const img of shown) if (img.state === 'pending' && img.pendingPolls-- <= 0) img.state = 'available';
      return items('imagesSet', shown, (img) => this.imageXml(img));
    },

    ModifyImageAttribute: async (region, p) => {
      const img = this.image(region, p.ImageId);
      const add = (kind: 'group' | 'user', v: string) => {
        if (kind === 'group' && v !== 'all') throw bad('InvalidAMIAttributeItemValue', `Invalid attribute item value "${v}" for group item type.`);
        if (kind === 'user' && !/^\d{12}$/.test(v)) throw bad('InvalidAMIAttributeItemValue', `Invalid attribute item value "${v}" for userId item type.`);
        (kind === 'group' ? img.launchGroups : img.launchUsers).add(v);
      };
      const remove = (kind: 'group' | 'user', v: string) => (kind === 'group' ? img.launchGroups : img.launchUsers).delete(v);
      let changed = false;
      for (const op of ['Add', 'Remove'] as const) {
        for (const i of indices(p, `LaunchPermission.${op}`)) {
          const g = p[`LaunchPermission.${op}.${i}.Group`];
          const u = p[`LaunchPermission.${op}.${i}.UserId`];
          if (!g && !u) throw bad('InvalidParameterValue', 'A launch permission needs a Group or a UserId');
          (op === 'Add' ? add : remove)(g ? 'group' : 'user', (g ?? u)!);
          changed = true;
        }
      }
      if (p.Attribute === 'launchPermission' && p.OperationType) { // the older form the CLI also sends
        const f = p.OperationType === 'add' ? add : remove;
        for (const g of list(p, 'UserGroup')) f('group', g);
        for (const u of list(p, 'UserId')) f('user', u);
        changed = true;
      }
      if (!changed) throw bad('MissingParameter', 'No attributes specified.');
      return el('return', true);
    },

    DescribeImageAttribute: async (region, p) => {
      const img = this.image(region, p.ImageId);
      if (p.Attribute !== 'launchPermission') throw bad('InvalidParameterValue', `this fake answers launchPermission only, not ${p.Attribute}`);
      return el('imageId', img.imageId) + items('launchPermission', [...[...img.launchGroups].map((g) => el('group', g)), ...[...img.launchUsers].map((u) => el('userId', u))], (x) => x);
    },

    EnableImageDeprecation: async (region, p) => {
      const img = this.image(region, p.ImageId);
      if (!p.DeprecateAt) throw missing('DeprecateAt');
      const at = Date.parse(p.DeprecateAt);
      if (Number.isNaN(at)) throw bad('InvalidParameterValue', `Invalid DeprecateAt ${p.DeprecateAt}`);
      if (at < Date.now()) throw bad('InvalidParameterValue', 'The deprecation time cannot be in the past.');
      img.deprecationTime = new Date(Math.round(at / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
      return el('return', true);
    },
  };
}
