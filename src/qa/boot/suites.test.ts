import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QA_SUITE_NAMES } from '../../catalog/qa-suite-names.ts';
import { resolveSuites, suites } from './suites.ts';

test('the suites recipes may name are exactly the suites QA has', () => {
  assert.deepEqual(Object.keys(suites).sort(), [...QA_SUITE_NAMES].sort());
});

test('every suite resolves with base first, each check once, and check ids are unique per suite', () => {
  for (const name of Object.keys(suites)) {
    const r = resolveSuites([name]);
    assert.equal(r.names[0], 'base');
    const ids = r.checks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, `${name}: duplicate check ids ${ids.join(',')}`);
    assert.ok(r.expect.tcpPorts.includes(22), `${name}: SSH stays allowed`);
  }
});

test('an unknown suite is refused with the known ones in the hint', () => {
  assert.throws(() => resolveSuites(['no-such-suite']), (e: any) => e.code === 'qa.unknown_suite' && /base/.test(e.hint));
});

test('a suite brings its own user-data and ports: paas-node makes a single-node swarm and allows its ports', () => {
  assert.deepEqual(resolveSuites().userData, {});
  const r = resolveSuites(['container-host', 'paas-node']);
  const files = r.userData.write_files as Array<{ path: string; content: string; permissions: string }>;
  assert.equal(files.length, 1);
  assert.equal(files[0]!.path, '/etc/herd/paas.yaml');
  assert.match(files[0]!.content, /^swarm:\n {2}role: init$/m);
  assert.equal(files[0]!.permissions, '0600');
  assert.deepEqual(r.expect.tcpPorts, [22, 2377, 7946]);
  assert.ok(r.expect.udpProcesses.test('dockerd') && r.expect.udpProcesses.test('dhclient'));
  assert.ok(!resolveSuites(['container-host']).expect.udpProcesses.test('dockerd'), 'only a swarm node may hold UDP for gossip');
  assert.deepEqual(r.checks.map((c) => c.id).filter((id) => /^[CP]/.test(id)), ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'P1', 'P2']);
});
