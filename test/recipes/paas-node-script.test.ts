import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * recipes/files/paas-node/herd-paas (the paas-node image's user-data contract) run on the host with
 * python3, against a fake `docker` and `ip` that log their arguments and answer like the real ones.
 */
const script = resolve(import.meta.dirname, '../../recipes/files/paas-node/herd-paas');
const hasYaml = spawnSync('python3', ['-c', 'import yaml']).status === 0;
const skip = hasYaml ? false : 'needs python3 with PyYAML (python3-yaml), as in the image';

const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "info --format") echo "\${FAKE_STATE:-inactive}";;
  "swarm init") echo "Swarm initialized";;
  "swarm join-token") echo "SWMTKN-1-fake-$4";;
  "swarm join")
    n=$(cat "$FAKE_LOG.joins" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_LOG.joins"
    if [ "$n" -lt "\${FAKE_JOIN_FAILURES:-0}" ]; then echo "Error response from daemon: manager unreachable" >&2; exit 1; fi
    echo "This node joined a swarm as a worker.";;
esac
`;
// FAKE_ROUTE_AFTER=n: the first n lookups find no default route yet (the DHCP lease's route lands late)
// FAKE_ADDRS: what `ip -j -4 addr show scope global` answers (default: no addressed interface)
const FAKE_IP = `#!/bin/sh
case "$*" in *addr*) echo "\${FAKE_ADDRS:-[]}"; exit 0;; esac
n=$(cat "$FAKE_LOG.routes" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_LOG.routes"
if [ "$n" -lt "\${FAKE_ROUTE_AFTER:-0}" ]; then echo '[]'; exit 0; fi
echo '[{"dst":"default","gateway":"10.0.2.2","dev":"ens3","protocol":"dhcp"}]'
`;

function run(config: string | undefined, env: Record<string, string> = {}) {
  const dir = tempDir('herd-paas-');
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'docker'), FAKE_DOCKER);
  writeFileSync(join(bin, 'ip'), FAKE_IP);
  chmodSync(join(bin, 'docker'), 0o755);
  chmodSync(join(bin, 'ip'), 0o755);
  // /sys/class/net: the cards the tests name have a device behind them; docker0 (a bridge) does not
  const sys = join(dir, 'sys-class-net');
  for (const card of ['enp0s1', 'a', 'b']) mkdirSync(join(sys, card, 'device'), { recursive: true });
  mkdirSync(join(sys, 'docker0'), { recursive: true });
  const cfg = join(dir, 'paas.yaml');
  if (config !== undefined) writeFileSync(cfg, config);
  const log = join(dir, 'docker.log');
  const r = spawnSync('python3', [script, 'apply'], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, HERD_PAAS_CONFIG: cfg, HERD_PAAS_TOKENS: join(dir, 'swarm'), HERD_PAAS_RETRY_SECONDS: '0', HERD_PAAS_ROUTE_WAIT_SECONDS: '0', HERD_PAAS_SYS_CLASS_NET: sys, FAKE_LOG: log, ...env },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { code: r.status, out: r.stdout + r.stderr, calls, tokens: join(dir, 'swarm') };
}

test('role init creates the swarm on the default route interface and keeps the join tokens root-only', { skip }, () => {
  const r = run('swarm:\n  role: init\n');
  assert.equal(r.code, 0, r.out);
  assert.ok(r.calls.includes('swarm init --advertise-addr ens3'), r.calls.join('\n'));
  assert.equal(readFileSync(join(r.tokens, 'worker.token'), 'utf8'), 'SWMTKN-1-fake-worker\n');
  assert.equal(readFileSync(join(r.tokens, 'manager.token'), 'utf8'), 'SWMTKN-1-fake-manager\n');
  assert.equal(statSync(join(r.tokens, 'worker.token')).mode & 0o777, 0o600);
  assert.equal(statSync(r.tokens).mode & 0o777, 0o700);
});

test('advertise-addr and listen-addr are passed as written', { skip }, () => {
  const r = run('swarm:\n  role: init\n  advertise-addr: 192.0.2.10\n  listen-addr: 0.0.0.0:2377\n');
  assert.equal(r.code, 0, r.out);
  assert.ok(r.calls.includes('swarm init --advertise-addr 192.0.2.10 --listen-addr 0.0.0.0:2377'), r.calls.join('\n'));
});

test('a node already in a swarm is left alone (every boot runs the unit)', { skip }, () => {
  const r = run('swarm:\n  role: init\n', { FAKE_STATE: 'active' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /already in a swarm/);
  assert.ok(!r.calls.some((c) => c.startsWith('swarm init')));
});

test('a worker joins through the managers, retrying while they are unreachable', { skip }, () => {
  const cfg = 'swarm:\n  role: worker\n  join-token: SWMTKN-1-abc\n  managers: [10.0.0.5:2377, 10.0.0.6:2377]\n';
  const r = run(cfg, { FAKE_JOIN_FAILURES: '2' });
  assert.equal(r.code, 0, r.out);
  const joins = r.calls.filter((c) => c.startsWith('swarm join '));
  assert.equal(joins.length, 3);
  assert.equal(joins[2], 'swarm join --advertise-addr ens3 --token SWMTKN-1-abc 10.0.0.5:2377 10.0.0.6:2377');
  assert.match(r.out, /retrying/);
});

test('a join that never succeeds within join-timeout fails with exit 2 and does not print the token', { skip }, () => {
  const r = run('swarm:\n  role: manager\n  join-token: SWMTKN-1-secret\n  managers: 10.0.0.5\n  join-timeout: 0\n', { FAKE_JOIN_FAILURES: '9' });
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /could not join through 10\.0\.0\.5: .*manager unreachable/);
  assert.doesNotMatch(r.out, /SWMTKN-1-secret/);
});

test('bad configuration is refused with the file, the key and what is allowed (exit 1), and docker is not touched', { skip }, () => {
  const cases: Array<[string, RegExp]> = [
    ['swarm:\n  role: init\n  advertise_addr: eth0\n', /unknown key\(s\) swarm\.advertise_addr \(known: advertise-addr, join-timeout, join-token, listen-addr, managers, role\)/],
    ['swarm:\n  role: leader\n', /swarm\.role must be one of init, manager, worker \(got 'leader'\)/],
    ['swarm:\n  role: worker\n  managers: [10.0.0.5]\n', /swarm\.join-token \(SWMTKN-\.\.\.\) is required to join as worker/],
    ['swarm:\n  role: worker\n  join-token: SWMTKN-1-x\n', /swarm\.managers must list at least one manager/],
    ['role: init\n', /expected a mapping with a 'swarm:' section/],
    ['swarm: [\n', /not valid YAML/],
  ];
  for (const [cfg, want] of cases) {
    const r = run(cfg);
    assert.equal(r.code, 1, `${cfg}: ${r.out}`);
    assert.match(r.out, want);
    assert.match(r.out, /paas\.yaml/);
    assert.deepEqual(r.calls, [], cfg);
  }
});

test('without /etc/herd/paas.yaml the node is no swarm node and nothing happens', { skip }, () => {
  const r = run(undefined);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /not a swarm node/);
  assert.deepEqual(r.calls, []);
});

test('with no default route yet, it waits for one (a late DHCP route) instead of failing, and gives up after the wait', { skip }, () => {
  const late = run('swarm: {role: init}\n', { FAKE_ROUTE_AFTER: '2', HERD_PAAS_ROUTE_WAIT_SECONDS: '30' });
  assert.equal(late.code, 0, late.out);
  assert.match(late.out, /no default route yet; waiting/);
  assert.ok(late.calls.some((c) => c.startsWith('swarm init --advertise-addr ens3')), late.calls.join('\n'));
  const never = run('swarm: {role: init}\n', { FAKE_ROUTE_AFTER: '1000', HERD_PAAS_ROUTE_WAIT_SECONDS: '1' });
  assert.equal(never.code, 1, never.out);
  assert.match(never.out, /no default route after 1 s/);
  assert.ok(!never.calls.some((c) => c.startsWith('swarm init')));
});

test('on a network without a router (no default route at all), it advertises on the one interface with a global address', { skip }, () => {
  const addrs = '[{"ifname":"enp0s1","addr_info":[{"family":"inet","local":"10.0.2.15","prefixlen":24}]}]';
  const r = run('swarm: {role: init}\n', { FAKE_ROUTE_AFTER: '1000', HERD_PAAS_ROUTE_WAIT_SECONDS: '30', FAKE_ADDRS: addrs });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /advertising on enp0s1, the only interface with a global address/);
  // its IPv4 address, not its name: Docker refuses a name when the card has two IPv6 addresses (seen in the guest)
  assert.ok(r.calls.some((c) => c.startsWith('swarm init --advertise-addr 10.0.2.15')), r.calls.join('\n'));
  const two = '[{"ifname":"a","addr_info":[{"local":"10.0.0.2"}]},{"ifname":"b","addr_info":[{"local":"10.1.0.2"}]}]';
  const ambiguous = run('swarm: {role: init}\n', { FAKE_ROUTE_AFTER: '1000', HERD_PAAS_ROUTE_WAIT_SECONDS: '1', FAKE_ADDRS: two });
  assert.equal(ambiguous.code, 1, 'two candidate interfaces and no route: it does not guess');
  // Docker's bridge has a global address too (seen in the booted paas-node image): it is not a candidate
  const withBridge = '[{"ifname":"enp0s1","addr_info":[{"local":"10.0.2.15"}]},{"ifname":"docker0","addr_info":[{"local":"172.17.0.1"}]}]';
  const bridged = run('swarm: {role: init}\n', { FAKE_ROUTE_AFTER: '1000', HERD_PAAS_ROUTE_WAIT_SECONDS: '1', FAKE_ADDRS: withBridge });
  assert.equal(bridged.code, 0, bridged.out);
  assert.ok(bridged.calls.some((c) => c.startsWith('swarm init --advertise-addr 10.0.2.15')), bridged.calls.join('\n'));
});

test('the default route\'s card is advertised by its IPv4 address when it has one', { skip }, () => {
  const addrs = '[{"ifname":"ens3","addr_info":[{"family":"inet","local":"192.0.2.7","prefixlen":24}]}]';
  const r = run('swarm: {role: init}\n', { FAKE_ADDRS: addrs });
  assert.equal(r.code, 0, r.out);
  assert.ok(r.calls.includes('swarm init --advertise-addr 192.0.2.7'), r.calls.join('\n'));
});
