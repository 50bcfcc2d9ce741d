import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudsYamlPaths, resolveOpenStackAuth } from './openstack-auth.ts';

const dir = mkdtempSync(join(tmpdir(), 'herd-os-auth-'));
const yaml = join(dir, 'clouds.yaml');
writeFileSync(yaml, `clouds:
  prod:
    auth:
      auth_url: https://keystone.example/v3
      username: herd
      password: pw
      project_id: p123
      user_domain_id: d1
    region_name: RegionOne
    interface: internal
    image_endpoint_override: https://glance.example:9292/v2
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example
      application_credential_id: ac1
      application_credential_secret: s1
  local:
    auth_type: none
    auth:
      endpoint: http://127.0.0.1:9292
`);

test('a clouds.yaml cloud resolves to a project-scoped password request, its region, interface and endpoint override', () => {
  const a = resolveOpenStackAuth('t', { cloud: 'prod', env: {}, configPaths: [join(dir, 'missing.yaml'), yaml] });
  assert.equal(a.type, 'password');
  if (a.type !== 'password') return;
  assert.deepEqual(a.identity, { methods: ['password'], password: { user: { name: 'herd', domain: { id: 'd1' }, password: 'pw' } } });
  assert.deepEqual(a.scope, { project: { id: 'p123' } });
  assert.equal(a.region, 'RegionOne');
  assert.equal(a.interface, 'internal');
  assert.equal(a.endpointOverride, 'https://glance.example:9292/v2');
});

test('an application credential is sent unscoped; auth_type none needs an endpoint', () => {
  const a = resolveOpenStackAuth('t', { cloud: 'appcred', env: {}, configPaths: [yaml] });
  assert.equal(a.type, 'application_credential');
  assert.equal(a.type === 'application_credential' ? a.scope : 'x', undefined);
  assert.deepEqual(resolveOpenStackAuth('t', { cloud: 'local', env: {}, configPaths: [yaml] }), { type: 'none', endpoint: 'http://127.0.0.1:9292', region: undefined });
  assert.throws(() => resolveOpenStackAuth('t', { env: { OS_AUTH_TYPE: 'none' } }), { code: 'cloud.credentials', hint: /OS_ENDPOINT/ });
});

test('OS_* variables (with the old OS_TENANT_NAME) and OS_CLOUD work like clouds.yaml', () => {
  const env = { OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_TENANT_NAME: 'proj', OS_PROJECT_DOMAIN_NAME: 'ops', OS_REGION_NAME: 'R2' };
  const a = resolveOpenStackAuth('t', { env });
  assert.ok(a.type === 'password');
  assert.deepEqual(a.scope, { project: { name: 'proj', domain: { name: 'ops' } } });
  assert.equal(a.region, 'R2');
  assert.equal(resolveOpenStackAuth('t', { env: { OS_CLOUD: 'local' }, configPaths: [yaml] }).type, 'none');
});

test('missing or incomplete credentials are cloud.credentials errors that say what is missing and where to put it', () => {
  const cases: [Parameters<typeof resolveOpenStackAuth>[1], RegExp][] = [
    [{ env: {} }, /OS_AUTH_URL/],
    [{ env: { OS_AUTH_URL: 'https://k', OS_USERNAME: 'u' } }, /password/],
    [{ env: { OS_AUTH_URL: 'https://k', OS_USERNAME: 'u', OS_PASSWORD: 'p' } }, /project/],
    [{ cloud: 'nope', env: {}, configPaths: [yaml] }, /has no cloud 'nope' \(it has: prod, appcred, local\)/],
    [{ cloud: 'prod', env: {}, configPaths: [join(dir, 'missing.yaml')] }, /no clouds.yaml was found/],
  ];
  for (const [o, message] of cases) {
    assert.throws(() => resolveOpenStackAuth('t', o), (e: any) => e.code === 'cloud.credentials' && message.test(e.message) && /clouds\.yaml|OS_ENDPOINT/.test(e.hint));
  }
});

test('clouds.yaml is looked for where OpenStack clients look', () => {
  assert.deepEqual(cloudsYamlPaths({ HOME: '/home/a', OS_CLIENT_CONFIG_FILE: '/x.yaml' }), ['/x.yaml', '/home/a/.config/openstack/clouds.yaml', '/etc/openstack/clouds.yaml']);
});

test('a clouds.yaml that does not parse is reported by line and column, never by quoting it (it holds passwords)', () => {
  const broken = join(dir, 'broken-clouds.yaml');
  writeFileSync(broken, 'clouds:\n  prod:\n    auth:\n      username: herd\n      password: @Tr0ub4dor&3\n');
  assert.throws(() => resolveOpenStackAuth('t', { cloud: 'prod', env: {}, configPaths: [broken] }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'cloud.credentials');
    assert.match(e.message, /is not valid YAML \(line 5, column \d+\)/);
    assert.ok(!e.message.includes('Tr0ub4dor') && !JSON.stringify(e).includes('Tr0ub4dor'), e.message);
    return true;
  });
});
