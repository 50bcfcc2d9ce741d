import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../errors.ts';
import { credentialsError } from './cloud-target.ts';

/**
 * Where an OpenStack target's credentials come from: a cloud of clouds.yaml (named by the target or OS_CLOUD) or
 * the OS_* variables, the places every OpenStack client reads; never the recipe. Resolved into what Keystone v3
 * needs, or, with auth_type none, an explicit image endpoint (a Glance without Keystone).
 */
export type OpenStackAuth =
  | { type: 'none'; endpoint: string; region?: string }
  | {
      type: 'password' | 'application_credential';
      authUrl: string;
      /** The `identity` object of a Keystone v3 token request. */
      identity: Record<string, unknown>;
      /** The `scope` of the request; none for an application credential (it is scoped already). */
      scope?: Record<string, unknown>;
      region?: string;
      interface: string;
      /** Replaces the catalog's image endpoint (clouds.yaml image_endpoint_override). */
      endpointOverride?: string;
    };

export const CREDENTIALS_HINT =
  'put the cloud in ~/.config/openstack/clouds.yaml (or /etc/openstack/clouds.yaml) and name it in the target\'s `cloud`, '
  + 'or export the OS_* variables of the project\'s openrc file (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ...)';

/** The clouds.yaml files OpenStack clients read, first found wins (OS_CLIENT_CONFIG_FILE first). */
export function cloudsYamlPaths(env: NodeJS.ProcessEnv): string[] {
  return [
    ...(env.OS_CLIENT_CONFIG_FILE ? [env.OS_CLIENT_CONFIG_FILE] : []),
    join(env.HOME || homedir(), '.config/openstack/clouds.yaml'),
    '/etc/openstack/clouds.yaml',
  ];
}

interface CloudEntry {
  auth_type?: string;
  auth?: Record<string, unknown>;
  region_name?: string;
  interface?: string;
  image_endpoint_override?: string;
}

/** A cloud's settings, flattened to the OS_* spelling (auth.username → username), so both sources resolve alike. */
type Settings = Record<string, string | undefined>;

function fromCloudsYaml(target: string, cloud: string, paths: readonly string[]): Settings {
  const file = paths.find((p) => existsSync(p));
  if (!file) throw credentialsError(target, `cloud '${cloud}' is named but no clouds.yaml was found (looked in ${paths.join(', ')})`, CREDENTIALS_HINT);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    // the parser's message quotes the offending line, which may hold a password: only say where it is
    const pos = (e as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    throw credentialsError(target, `${file} is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`, CREDENTIALS_HINT);
  }
  const entry = (doc as { clouds?: Record<string, CloudEntry> } | null)?.clouds?.[cloud];
  if (!entry || typeof entry !== 'object') {
    const known = Object.keys((doc as { clouds?: object } | null)?.clouds ?? {});
    throw credentialsError(target, `${file} has no cloud '${cloud}' (it has: ${known.join(', ') || 'none'})`, CREDENTIALS_HINT);
  }
  const s: Settings = {};
  for (const [k, v] of Object.entries(entry.auth ?? {})) if (v !== undefined && v !== null) s[k] = String(v);
  s.auth_type = entry.auth_type;
  s.region_name = entry.region_name;
  s.interface = entry.interface;
  s.image_endpoint_override = entry.image_endpoint_override;
  return s;
}

/** OS_FOO_BAR → foo_bar; OS_TENANT_NAME is the old spelling of OS_PROJECT_NAME. */
function fromEnv(env: NodeJS.ProcessEnv): Settings {
  const s: Settings = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('OS_') && v) s[k.slice(3).toLowerCase()] = v;
  s.project_name ??= s.tenant_name;
  s.project_id ??= s.tenant_id;
  return s;
}

function named(name: string | undefined, id: string | undefined, domainName?: string, domainId?: string): Record<string, unknown> | undefined {
  if (id) return { id };
  if (!name) return undefined;
  return { name, domain: domainId ? { id: domainId } : { name: domainName ?? 'Default' } };
}

/**
 * The credentials of a target: its `cloud` (or OS_CLOUD) in clouds.yaml, else the OS_* variables. Throws
 * `cloud.credentials` when they are missing or incomplete, naming what is missing.
 */
export function resolveOpenStackAuth(target: string, o: { cloud?: string; env: NodeJS.ProcessEnv; configPaths?: readonly string[] }): OpenStackAuth {
  const cloud = o.cloud ?? o.env.OS_CLOUD;
  const s = cloud ? fromCloudsYaml(target, cloud, o.configPaths ?? cloudsYamlPaths(o.env)) : fromEnv(o.env);
  const where = cloud ? `cloud '${cloud}'` : 'the OS_* variables';
  const type = (s.auth_type ?? (s.application_credential_id || s.application_credential_secret ? 'v3applicationcredential' : 'password')).toLowerCase();
  if (type === 'none' || type === 'noauth') {
    const endpoint = s.endpoint ?? s.image_endpoint_override;
    if (!endpoint) throw credentialsError(target, `${where} says auth_type none but gives no endpoint`, 'set auth.endpoint in clouds.yaml or OS_ENDPOINT to the Glance URL');
    return { type: 'none', endpoint, region: s.region_name };
  }
  if (!s.auth_url) throw credentialsError(target, `no Keystone URL in ${where} (auth_url / OS_AUTH_URL)`, CREDENTIALS_HINT);
  const common = { authUrl: s.auth_url, region: s.region_name, interface: s.interface ?? 'public', endpointOverride: s.image_endpoint_override };
  if (type === 'v3applicationcredential' || type === 'application_credential') {
    if (!s.application_credential_secret) throw credentialsError(target, `${where} has no application_credential_secret`, CREDENTIALS_HINT);
    const user = named(s.username, s.user_id, s.user_domain_name, s.user_domain_id);
    const cred = s.application_credential_id
      ? { id: s.application_credential_id, secret: s.application_credential_secret }
      : { name: s.application_credential_name, secret: s.application_credential_secret, user };
    if (!s.application_credential_id && (!s.application_credential_name || !user)) {
      throw credentialsError(target, `${where} needs application_credential_id, or application_credential_name with the user`, CREDENTIALS_HINT);
    }
    return { type: 'application_credential', ...common, identity: { methods: ['application_credential'], application_credential: cred } };
  }
  if (type !== 'password' && type !== 'v3password') {
    throw new AppError('cloud.auth_type', `target ${target}: auth_type '${type}' of ${where} is not supported`, { hint: 'use password, v3applicationcredential or none' });
  }
  const user = named(s.username, s.user_id, s.user_domain_name ?? s.domain_name, s.user_domain_id ?? s.domain_id);
  if (!user || !s.password) throw credentialsError(target, `${where} needs a user (username or user_id) and a password`, CREDENTIALS_HINT);
  const project = named(s.project_name, s.project_id, s.project_domain_name ?? s.domain_name, s.project_domain_id ?? s.domain_id);
  // images belong to a project, so a domain-scoped token would not do
  if (!project) throw credentialsError(target, `${where} names no project (project_name or project_id) to upload images into`, CREDENTIALS_HINT);
  return { type: 'password', ...common, identity: { methods: ['password'], password: { user: { ...user, password: s.password } } }, scope: { project } };
}
