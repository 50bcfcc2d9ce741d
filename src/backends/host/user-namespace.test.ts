import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userNamespaceArgv, userNamespaceProblem } from './user-namespace.ts';

const files = (m: Record<string, string>) => (f: string) => {
  if (f in m) return m[f]!;
  throw Object.assign(new Error(`ENOENT ${f}`), { code: 'ENOENT' });
};

test('a user namespace needs subordinate ids for the user, and a kernel that allows it', () => {
  const ok = { '/etc/subuid': 'other:1:2\nherdci:100000:65536\n', '/etc/subgid': 'herdci:100000:65536\n' };
  assert.equal(userNamespaceProblem('herdci', files(ok)), undefined);
  assert.match(userNamespaceProblem('alice', files(ok))!, /\/etc\/subuid has no range for alice/);
  assert.match(userNamespaceProblem('herdci', files({ '/etc/subuid': ok['/etc/subuid'] }))!, /\/etc\/subgid has no range/);
  // "herdci2" is not "herdci": ranges are matched by the whole name
  assert.match(userNamespaceProblem('herd', files(ok))!, /no range for herd\b/);
  assert.match(userNamespaceProblem('herdci', files({ ...ok, '/proc/sys/kernel/unprivileged_userns_clone': '0\n' }))!, /kernel forbids/);
  assert.equal(userNamespaceProblem('herdci', files({ ...ok, '/proc/sys/kernel/unprivileged_userns_clone': '1\n' })), undefined);
});

test('the build runs as root of its own user, mount and PID namespaces, with the subordinate ids mapped', () => {
  const argv = userNamespaceArgv(['node', 'herd', 'build', 'r.yaml']);
  assert.deepEqual(argv.slice(-5), ['--', 'node', 'herd', 'build', 'r.yaml']);
  for (const flag of ['--user', '--map-root-user', '--map-auto', '--mount', '--pid', '--fork']) assert.ok(argv.includes(flag), flag);
});
