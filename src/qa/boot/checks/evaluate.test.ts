import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBootHealth, parseResultErrors } from './b01-boot-health.ts';
import { evaluateSshPolicy, parseOfferedMethods } from './b02-ssh-policy.ts';
import { evaluateDistinct, evaluateIdentity } from './b03-identity.ts';
import { evaluateGrowpart } from './b04-growpart.ts';
import { evaluateMetadata } from './b05-metadata.ts';
import { evaluateCanary } from './b06-canary.ts';
import { evaluatePorts, parseSs } from './b07-ports.ts';
import { evaluatePackages } from './b09-package-manager.ts';
import { evaluateReboot } from './b10-reboot.ts';
import { newIdentity } from '../seed-data.ts';
import { resolveSuites } from '../suites.ts';

// Recorded guest outputs (Debian 12 cloud image under QEMU), good and bad, for each boot check's verdict.
const healthy = { systemState: 'running', failedUnits: [], cloudInitStatus: 'status: done\nboot_status_code: enabled-by-generator', cloudInitExit: 0, cloudInitErrors: [] };
const SSHD_T_GOOD = 'port 22\npubkeyauthentication yes\npasswordauthentication no\nkbdinteractiveauthentication no\npermitrootlogin no\n';
const id1 = { machineId: '0123456789abcdef0123456789abcdef', hostKeys: ['SHA256:aaa (ED25519)', 'SHA256:bbb (ECDSA)'], randomSeed: true };
const id2 = { machineId: 'fedcba9876543210fedcba9876543210', hostKeys: ['SHA256:ccc (ED25519)'], randomSeed: true };
const SS = [
  'udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:* users:(("dhclient",pid=412,fd=7))',
  'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=500,fd=3))',
  'tcp LISTEN 0 128 [::]:22 [::]:* users:(("sshd",pid=500,fd=4))',
  'tcp LISTEN 0 4096 127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=300,fd=14))',
].join('\n');
const base = resolveSuites().expect;

describe('boot check verdicts', () => {
  it('B1 passes a healthy boot and names what is wrong otherwise', () => {
    assert.deepEqual(evaluateBootHealth(healthy), []);
    const bad = evaluateBootHealth({ ...healthy, systemState: 'degraded', failedUnits: ['cloud-config.service'], cloudInitStatus: '.....status: error', cloudInitExit: 1, cloudInitErrors: ["('scripts_user', RuntimeError('Runparts: 1 failures'))"] });
    assert.equal(bad.length, 4);
    assert.match(bad.map((f) => f.message).join('\n'), /degraded[\s\S]*cloud-config\.service[\s\S]*exit 1\): status: error[\s\S]*scripts_user/);
    // cloud-init writes a dot per poll while --wait waits, with no newline: a slow first boot (container-host
    // under TCG) answers "....status: done", which is done (recorded from a real guest, cloud-init 25.1)
    assert.deepEqual(evaluateBootHealth({ ...healthy, cloudInitStatus: '........status: done\nextended_status: done\nerrors: []' }), []);
    assert.match(evaluateBootHealth({ ...healthy, cloudInitStatus: '' })[0]!.message, /no status line/);
    assert.deepEqual(parseResultErrors('{"v1":{"datasource":"DataSourceNoCloud","errors":[]}}'), []);
    assert.equal(parseResultErrors('').length, 1);
  });

  it('B2 fails on password auth (sshd -T or offered), root shell, and empty sshd -T', () => {
    const good = { sshdT: SSHD_T_GOOD, offeredMethods: ['publickey'], rootLogin: { code: 255, stdout: '' }, expectRootLogin: 'no' };
    assert.deepEqual(evaluateSshPolicy(good), []);
    assert.equal(evaluateSshPolicy({ ...good, sshdT: SSHD_T_GOOD.replace('passwordauthentication no', 'passwordauthentication yes') }).length, 1);
    assert.equal(evaluateSshPolicy({ ...good, offeredMethods: ['publickey', 'password'] }).length, 1);
    assert.equal(evaluateSshPolicy({ ...good, rootLogin: { code: 0, stdout: 'root-shell' } }).length, 1);
    assert.equal(evaluateSshPolicy({ ...good, sshdT: SSHD_T_GOOD.replace('permitrootlogin no', 'permitrootlogin yes') }).length, 1);
    assert.ok(evaluateSshPolicy({ ...good, sshdT: '' }).length >= 1);
    assert.deepEqual(parseOfferedMethods('herdqa@127.0.0.1: Permission denied (publickey,password).'), ['publickey', 'password']);
  });

  it('B3 wants generated identity, and two instances must differ', () => {
    assert.deepEqual(evaluateIdentity(id1), []);
    assert.equal(evaluateIdentity({ machineId: '', hostKeys: [], randomSeed: false }).length, 3);
    assert.deepEqual(evaluateDistinct(id1, id2), []);
    assert.equal(evaluateDistinct(id1, { ...id2, machineId: id1.machineId, hostKeys: ['SHA256:aaa (ED25519)'] }).length, 2);
  });

  it('B4 fails when the root partition or filesystem did not grow', () => {
    const GiB = 1024 ** 3;
    const orig = 1919 * 1024 * 1024;
    assert.deepEqual(evaluateGrowpart({ partitionBytes: orig + 2 * GiB - 1024 * 1024, filesystemBytes: orig + 2 * GiB - 80e6, originalBytes: orig, growBytes: 2 * GiB }), []);
    assert.equal(evaluateGrowpart({ partitionBytes: orig, filesystemBytes: orig - 40e6, originalBytes: orig, growBytes: 2 * GiB }).length, 2);
    assert.equal(evaluateGrowpart({ partitionBytes: orig + 2 * GiB, filesystemBytes: orig - 40e6, originalBytes: orig, growBytes: 2 * GiB }).length, 1);
  });

  it('B5 compares hostname, instance-id, write_files and runcmd with the seed', () => {
    const want = newIdentity('bios', 'ssh-ed25519 AAAA test');
    const good = { hostname: want.hostname, instanceId: want.instanceId, writeFiles: want.writeFilesToken, runcmd: `${want.instanceId} boot\n` };
    assert.deepEqual(evaluateMetadata(good, want), []);
    assert.equal(evaluateMetadata({ hostname: 'localhost', instanceId: 'nocloud', writeFiles: '', runcmd: '' }, want).length, 4);
  });

  it('B6 flags world-readable copies of the canary and a loose sensitive json', () => {
    const ok = { files: ['600 root /root/herd-qa-canary', '600 root /var/lib/cloud/instances/i/user-data.txt'], sensitiveJson: '600 root' };
    assert.deepEqual(evaluateCanary(ok), []);
    const leak = evaluateCanary({ files: [...ok.files, '644 root /var/log/cloud-init.log'], sensitiveJson: '644 root' });
    assert.equal(leak.length, 2);
    assert.equal(leak[0]!.path, '/var/log/cloud-init.log');
    assert.equal(evaluateCanary({ files: [], sensitiveJson: '' }).length, 1, 'a canary found nowhere means the probe is broken');
  });

  it('B7 allows sshd and DHCP, ignores loopback, flags anything else', () => {
    assert.deepEqual(evaluatePorts(parseSs(SS), base), []);
    const extra = parseSs(SS + '\ntcp LISTEN 0 5 0.0.0.0:8080 0.0.0.0:* users:(("python3",pid=900,fd=3))\nudp UNCONN 0 0 0.0.0.0:5353 0.0.0.0:* users:(("avahi-daemon",pid=1,fd=1))');
    assert.deepEqual(evaluatePorts(extra, base).map((f) => f.message), [
      'unexpected tcp listener on 0.0.0.0:8080 (python3)',
      'unexpected udp listener on 0.0.0.0:5353 (avahi-daemon)',
    ]);
  });

  it('B7 on a swarm manager: the kernel\'s VXLAN socket (no process) passes only where the suite allows 4789/udp', () => {
    // recorded from the booted paas-node image (ss -Htulnp)
    const swarm = parseSs(SS + '\nudp UNCONN 0 0 0.0.0.0:4789 0.0.0.0:*\n'
      + 'udp UNCONN 0 0 *:7946 *:* users:(("dockerd",pid=731,fd=31))\ntcp LISTEN 0 4096 *:2377 *:* users:(("dockerd",pid=731,fd=24))\n'
      + 'tcp LISTEN 0 4096 *:7946 *:* users:(("dockerd",pid=731,fd=29))');
    assert.deepEqual(evaluatePorts(swarm, resolveSuites(['paas-node']).expect), []);
    assert.deepEqual(evaluatePorts(swarm, base).map((f) => f.message), [
      'unexpected udp listener on 0.0.0.0:4789 (unknown process)',
      'unexpected udp listener on *:7946 (dockerd)',
      'unexpected tcp listener on *:2377 (dockerd)',
      'unexpected tcp listener on *:7946 (dockerd)',
    ]);
  });

  it('B9 fails on a broken package database', () => {
    assert.deepEqual(evaluatePackages({ tool: 'dpkg', code: 0, output: '' }), []);
    assert.equal(evaluatePackages({ tool: 'dpkg', code: 100, output: 'E: Unmet dependencies.' }).length, 1);
    assert.equal(evaluatePackages({ tool: 'dpkg', code: 0, output: 'The following packages are only half configured' }).length, 1);
    assert.equal(evaluatePackages({ tool: 'none', code: 0, output: '' }).length, 1);
  });

  it('B10 fails when per-instance modules rerun or identity changes on reboot', () => {
    assert.deepEqual(evaluateReboot({ bootIds: ['a', 'b'], identity: [id1, id1], runcmdLines: 1 }), []);
    assert.equal(evaluateReboot({ bootIds: ['a', 'a'], identity: [id1, id2], runcmdLines: 2 }).length, 4);
  });
});
