import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Debian's real glance-api on 127.0.0.1 for the OpenStack target's tests, with a small Keystone v3 stand-in in
 * front of it:
 * - `directUrl`: Glance itself, with the paste pipeline that trusts X-Identity-Status/X-Project-Id/X-Roles headers
 *   (what keystonemiddleware sets after checking a token), so owners, import and deactivation behave as with Keystone;
 * - `keystoneUrl`: POST /v3/auth/tokens for one user (password) and one application credential, answering with a token
 *   and a catalog whose image endpoint is `imageUrl`;
 * - `imageUrl`: a proxy that, like keystonemiddleware, turns a valid X-Auth-Token into those headers and answers
 *   401 to any other token; it logs requests and can answer with an injected failure;
 * - `noauthUrl`: the same proxy without tokens, as the admin of another project (what `auth_type: none` and
 *   `openstack --os-auth-type none` talk to).
 * See ../shared/notes/cloud-test-servers.md for why the config is what it is.
 */
export const GLANCE_API = '/usr/bin/glance-api';
export const GLANCE_MANAGE = '/usr/bin/glance-manage';

export function glanceInstalled(): boolean {
  return spawnSync('sh', ['-c', `test -x ${GLANCE_API} && test -x ${GLANCE_MANAGE}`]).status === 0;
}

export const USER = { id: 'u-herd', name: 'herd', password: 'correct horse', domain: 'Default' };
export const PROJECT = { id: randomHex(), name: 'images', domain: 'Default' };
export const APP_CREDENTIAL = { id: 'ac-herd', secret: 'app-secret' };
export const REGION = 'RegionOne';
const ADMIN_PROJECT = randomHex();

function randomHex(): string {
  return randomBytes(16).toString('hex');
}

export interface GlanceServer {
  directUrl: string;
  keystoneUrl: string;
  imageUrl: string;
  noauthUrl: string;
  dir: string;
  /** Requests that passed the token proxy: `PUT /v2/images/ID/file`. */
  log: string[];
  /** The next `count` requests through the token proxy whose `METHOD path` matches get `status` instead of Glance's answer. */
  failNext(match: RegExp, status: number, count?: number): void;
  /** Forgets every token issued (as when they expire or are revoked): the proxy then answers 401 to them. */
  revokeTokens(): void;
  /** Headers Glance trusts, for a request of the test's own (a member of the images project by default). */
  identity(roles?: string): Record<string, string>;
  stop(): Promise<void>;
}

function glanceConfig(dir: string, port: number): string {
  return `[DEFAULT]
bind_host = 127.0.0.1
bind_port = ${port}
workers = 0
log_file = ${dir}/glance-api.log
debug = false
enabled_import_methods = [glance-direct]
node_staging_uri = file://${dir}/staging
image_cache_dir = ${dir}/cache

[database]
connection = sqlite:///${dir}/glance.db

[glance_store]
stores = file
default_store = file
filesystem_store_datadir = ${dir}/images

[oslo_concurrency]
lock_path = ${dir}/lock

[paste_deploy]
flavor = trusted
config_file = ${dir}/glance-api-paste.ini
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const UNAUTHORIZED = { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } };

/** Whether a token request's credentials are the stand-in's user (scoped to its project) or its application credential. */
function authenticate(body: any): boolean {
  const identity = body?.auth?.identity;
  if (identity?.methods?.[0] === 'application_credential') {
    const ac = identity.application_credential;
    return ac?.id === APP_CREDENTIAL.id && ac?.secret === APP_CREDENTIAL.secret && body.auth.scope === undefined;
  }
  const user = identity?.password?.user;
  const userOk = (user?.id === USER.id || (user?.name === USER.name && user?.domain?.name === USER.domain)) && user?.password === USER.password;
  const project = body?.auth?.scope?.project;
  const projectOk = project?.id === PROJECT.id || (project?.name === PROJECT.name && project?.domain?.name === PROJECT.domain);
  return userOk && projectOk;
}

export async function startGlance(): Promise<GlanceServer> {
  const dir = tempDir('herd-glance-');
  for (const d of ['staging', 'cache', 'images', 'lock']) mkdirSync(join(dir, d));
  const paste = readFileSync('/etc/glance/glance-api-paste.ini', 'utf8').replace(/^disable_by_file_path\s*=.*$/m, `disable_by_file_path = ${dir}/healthcheck_disable`);
  writeFileSync(join(dir, 'glance-api-paste.ini'), `${paste}\n[pipeline:glance-api-trusted]\npipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler context rootapp\n`);
  const port = await freePort();
  const conf = join(dir, 'glance-api.conf');
  writeFileSync(conf, glanceConfig(dir, port));
  const sync = spawnSync(GLANCE_MANAGE, ['--config-file', conf, 'db_sync'], { encoding: 'utf8' });
  if (sync.status !== 0) throw new Error(`glance-manage db_sync failed: ${sync.stderr}`);
  const child: ChildProcess = spawn(GLANCE_API, ['--config-file', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr!.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const directUrl = `http://127.0.0.1:${port}`;
  const stopGlance = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
  };
  process.on('exit', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`glance-api exited with ${child.exitCode}: ${stderr}\n${readLog(dir)}`);
    const ok = await fetch(`${directUrl}/healthcheck`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300) { await stopGlance(); throw new Error(`glance-api did not answer /healthcheck in 30 s: ${readLog(dir)}`); }
    await sleep(100);
  }

  // where the catalog's other endpoints point: a port nothing listens on
  const deadUrl = `http://127.0.0.1:${await freePort()}/`;
  const tokens = new Map<string, { project: string; user: string; roles: string }>();
  const log: string[] = [];
  const faults: { match: RegExp; status: number; count: number }[] = [];
  const identityHeaders = (who: { project: string; user: string; roles: string }) => ({
    'x-identity-status': 'Confirmed', 'x-project-id': who.project, 'x-tenant-id': who.project, 'x-user-id': who.user, 'x-roles': who.roles,
  });

  /** Forwards to Glance with the identity headers of `who`, after dropping any the client sent (as keystonemiddleware does). */
  const forward = (req: IncomingMessage, res: ServerResponse, who: { project: string; user: string; roles: string }) => {
    const headers = { ...req.headers };
    for (const h of Object.keys(headers)) if (/^x-(identity-status|project-id|tenant-id|user-id|roles|auth-token|service-)/.test(h)) delete headers[h];
    const up = httpRequest(`${directUrl}${req.url}`, { method: req.method, headers: { ...headers, ...identityHeaders(who), host: `127.0.0.1:${port}` } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('aborted', () => up.destroy());
    req.pipe(up);
  };

  const keystone = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
      let body: unknown;
      try { body = JSON.parse(await readBody(req)); } catch { return sendJson(res, 400, { error: { code: 400, message: 'bad JSON' } }); }
      if (!authenticate(body)) return sendJson(res, 401, UNAUTHORIZED);
      const token = randomUUID().replaceAll('-', '');
      tokens.set(token, { project: PROJECT.id, user: USER.id, roles: 'member,reader' });
      return sendJson(res, 201, {
        token: {
          methods: ['password'], expires_at: new Date(Date.now() + 3600_000).toISOString(),
          project: { id: PROJECT.id, name: PROJECT.name, domain: { id: 'default', name: PROJECT.domain } },
          user: { id: USER.id, name: USER.name }, roles: [{ name: 'member' }, { name: 'reader' }],
          catalog: [
            { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region: REGION, region_id: REGION, url: keystoneUrl + '/v3' }] },
            { type: 'image', name: 'glance', endpoints: [
              { interface: 'public', region: REGION, region_id: REGION, url: imageUrl },
              { interface: 'internal', region: REGION, region_id: REGION, url: deadUrl },
              { interface: 'public', region: 'RegionTwo', region_id: 'RegionTwo', url: deadUrl },
            ] },
          ],
        },
      }, { 'X-Subject-Token': token });
    }
    sendJson(res, 404, { error: { code: 404, message: `no ${req.method} ${req.url} in this stand-in` } });
  });
  const tokenProxy = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    const who = tokens.get(String(req.headers['x-auth-token'] ?? ''));
    if (!who) { req.resume(); return sendJson(res, 401, UNAUTHORIZED, { 'WWW-Authenticate': `Keystone uri="${keystoneUrl}"` }); }
    const fault = faults.find((f) => f.count > 0 && f.match.test(line));
    if (fault) {
      fault.count--;
      req.resume();
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' });
      return res.end('');
    }
    log.push(line.replace(/\?.*$/, ''));
    forward(req, res, who);
  });
  const noauth = createServer((req, res) => forward(req, res, { project: ADMIN_PROJECT, user: 'admin', roles: 'admin,member,reader' }));
  const keystoneUrl = await listen(keystone);
  const imageUrl = await listen(tokenProxy);
  const noauthUrl = await listen(noauth);
  const closeAll = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
  return {
    directUrl, keystoneUrl, imageUrl, noauthUrl, dir, log,
    revokeTokens: () => tokens.clear(),
    failNext: (match, status, count = 1) => { faults.push({ match, status, count }); },
    identity: (roles = 'member,reader') => identityHeaders({ project: PROJECT.id, user: USER.id, roles }),
    stop: async () => {
      await Promise.all([keystone, tokenProxy, noauth].map(closeAll));
      await stopGlance();
    },
  };
}

function readLog(dir: string): string {
  try { return readFileSync(join(dir, 'glance-api.log'), 'utf8').slice(-3000); } catch { return '(no log)'; }
}
