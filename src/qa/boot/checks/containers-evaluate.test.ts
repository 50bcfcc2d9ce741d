import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateDockerDaemon } from './c01-docker-daemon.ts';
import { evaluateAppArmor } from './c02-apparmor.ts';
import { block, evaluateLoadRun, loadRunProbe } from './c03-docker-run.ts';
import { evaluateConfinement } from './c04-docker-confinement.ts';
import { evaluatePodmanLabel } from './c05-podman-run.ts';
import { evaluateContainerd } from './c06-containerd.ts';
import { evaluateSwarmManager } from './p01-swarm-manager.ts';
import { evaluateSwarmService } from './p02-swarm-service.ts';
import { parseFields } from '../probe-fields.ts';

// Guest outputs of the container-host and paas-node images under QEMU (Debian 13: docker.io 26.1.5,
// podman 5.4.2, containerd 1.7.24, apparmor 4.1.0), good and bad. The failing ones marked "recorded" are
// the exact text the first boot of container-host gave, before docker-cli and nftables were in the recipe.
const msgs = (f: Array<{ message: string }>) => f.map((x) => x.message).join('\n');
const ID = 'sha256:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b';

describe('container-host check verdicts', () => {
  it('C1 wants docker.service enabled, active and answering the client', () => {
    const good = { enabled: 'enabled', active: 'active', serverCode: 0, server: '26.1.5+dfsg1\n' };
    assert.deepEqual(evaluateDockerDaemon(good), []);
    // recorded: docker.io without its client package
    const noClient = evaluateDockerDaemon({ ...good, serverCode: 1, server: 'sudo: docker: command not found\n' });
    assert.equal(noClient.length, 1);
    assert.match(noClient[0]!.message, /no server version \(exit 1\): sudo: docker: command not found/);
    const disabled = evaluateDockerDaemon({ enabled: 'disabled', active: 'inactive', serverCode: 1,
      server: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' });
    assert.equal(disabled.length, 3);
    assert.match(msgs(disabled), /not enabled at boot \(systemctl is-enabled: disabled\)[\s\S]*not running after boot \(systemctl is-active: inactive\)[\s\S]*Cannot connect/);
    assert.equal(evaluateDockerDaemon({ ...good, server: 'Error response from daemon: client version 1.99 is too new\n' }).length, 1);
  });

  it('C2 wants AppArmor on, its profiles loaded and docker-default enforced', () => {
    const profiles = ['docker-default (enforce)', 'firefox (unconfined)', 'lsb_release (enforce)'];
    const good = { enabled: 'Y', lsm: 'lockdown,capability,landlock,yama,apparmor,tomoyo,bpf,ipe,ima,evm', service: 'active', profiles };
    assert.deepEqual(evaluateAppArmor(good), []);
    const off = evaluateAppArmor({ enabled: 'N', lsm: 'lockdown,capability,landlock,yama,bpf', service: 'inactive', profiles: [] });
    assert.equal(off.length, 4);
    assert.match(msgs(off), /not enabled in the kernel \(parameters\/enabled: N\)[\s\S]*not an active LSM[\s\S]*apparmor\.service[\s\S]*docker-default profile is not loaded \(0 profiles/);
    assert.match(msgs(evaluateAppArmor({ ...good, profiles: ['docker-default (complain)'] })), /loaded but not enforced: docker-default \(complain\)/);
    assert.equal(evaluateAppArmor({ ...good, profiles: profiles.slice(1) }).length, 1, 'Docker never started, so it loaded no profile');
  });

  it('C3/C5 want the image loaded under the archive id and the token printed by the container', () => {
    const good = { engine: 'docker' as const, loadCode: 0, loadOutput: 'Loaded image: localhost/herd-qa/busybox:1', imageId: ID,
      expectedId: ID, runCode: 0, runOutput: 'herd-qa-0a1b2c3d4e5f', token: 'herd-qa-0a1b2c3d4e5f' };
    assert.deepEqual(evaluateLoadRun(good), []);
    // podman prints the id without the algorithm
    assert.deepEqual(evaluateLoadRun({ ...good, engine: 'podman', imageId: ID.slice(7) }), []);
    // recorded: no docker client
    const recorded = evaluateLoadRun({ ...good, loadCode: 1, loadOutput: 'sudo: docker: command not found', imageId: '', runCode: 1, runOutput: 'sudo: docker: command not found' });
    assert.equal(recorded.length, 3);
    // recorded: podman without nft for netavark
    const netavark = evaluateLoadRun({ ...good, engine: 'podman', imageId: ID.slice(7), runCode: 127,
      runOutput: 'Error: netavark: nftables error: unable to execute nft: No such file or directory (os error 2)' });
    assert.match(msgs(netavark), /^podman run failed \(exit 127\): Error: netavark: nftables error/);
    assert.match(msgs(evaluateLoadRun({ ...good, imageId: 'sha256:0000' })), /has id sha256:0000, the archive holds sha256:4f3c/);
    assert.match(msgs(evaluateLoadRun({ ...good, runOutput: 'herd-qa-ffffffffffff' })), /did not print its token herd-qa-0a1b2c3d4e5f/);
    const policy = evaluateLoadRun({ ...good, engine: 'podman', loadCode: 125, imageId: '',
      loadOutput: 'Error: payload does not match any of the supported image formats:\n * oci: Source image rejected: Running image oci-archive:/var/tmp/herd-qa/busybox-oci.tar is rejected by policy.' });
    assert.match(msgs(policy), /podman load of \/var\/tmp\/herd-qa\/busybox-oci\.tar failed \(exit 125\)[\s\S]*no image/);
  });

  it('C3 probe output: fields and the multi-line blocks come back apart', () => {
    const out = 'LOAD_CODE=0\nIMAGE_ID=sha256:abc\nRUN_CODE=0\nLOAD_OUTPUT<<\nLoaded image: x\nsecond line\n>>\nRUN_OUTPUT<<\ntok\n>>\n';
    assert.deepEqual(parseFields(out), { LOAD_CODE: '0', IMAGE_ID: 'sha256:abc', RUN_CODE: '0' });
    assert.equal(block(out, 'LOAD_OUTPUT'), 'Loaded image: x\nsecond line');
    assert.equal(block(out, 'RUN_OUTPUT'), 'tok');
    assert.equal(block(out, 'MISSING'), '');
    assert.match(loadRunProbe('podman', 'x'), /sudo podman load -i \/var\/tmp\/herd-qa\/busybox-oci\.tar/);
  });

  it('C4 wants the container confined by docker-default, as Docker says and as the kernel applies it', () => {
    const good = { runCode: 0, runOutput: '', profile: 'docker-default', pid: '1234', label: 'docker-default (enforce)' };
    assert.deepEqual(evaluateConfinement(good), []);
    const unconfined = evaluateConfinement({ ...good, profile: '', label: 'unconfined' });
    assert.equal(unconfined.length, 2);
    assert.match(msgs(unconfined), /profile "" for the container[\s\S]*label "unconfined"/);
    assert.match(msgs(evaluateConfinement({ ...good, profile: 'unconfined', label: 'unconfined' })), /profile "unconfined"/);
    assert.match(msgs(evaluateConfinement({ ...good, pid: '0' })), /no process id/);
    // recorded: no docker client, so nothing to inspect
    assert.match(msgs(evaluateConfinement({ ...good, runCode: 1, runOutput: 'sudo: docker: command not found' })), /could not start a container to inspect \(exit 1\): sudo: docker/);
  });

  it('C5 wants the podman container under an enforced AppArmor profile', () => {
    assert.deepEqual(evaluatePodmanLabel('herd-qa-1\nLABEL=containers-default-0.62.2 (enforce)\n'), []);
    assert.match(msgs(evaluatePodmanLabel('herd-qa-1\nLABEL=unconfined\n')), /label "unconfined"/);
    assert.match(msgs(evaluatePodmanLabel('herd-qa-1\nLABEL=containers-default-0.62.2 (complain)\n')), /not an enforced profile/);
    assert.match(msgs(evaluatePodmanLabel('herd-qa-1\n')), /printed no AppArmor label/);
  });

  it('C6 wants containerd up, answering, and holding the moby namespace', () => {
    const version = 'Client:\n  Version:  1.7.24~ds1\n  Go version: go1.24.4\n\nServer:\n  Version:  1.7.24~ds1\n  UUID: 6c1f0f0e\n';
    const good = { active: 'active', versionCode: 0, version, namespaces: ['moby'] };
    assert.deepEqual(evaluateContainerd(good), []);
    // recorded: Docker never ran a container through it
    assert.match(msgs(evaluateContainerd({ ...good, namespaces: [] })), /no "moby" namespace[\s\S]*namespaces: none/);
    const down = evaluateContainerd({ active: 'inactive', versionCode: 1,
      version: 'ctr: failed to dial "/run/containerd/containerd.sock": connection error: desc = "transport: error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"', namespaces: [] });
    assert.equal(down.length, 2);
    assert.match(msgs(down), /not running[\s\S]*failed to dial/);
  });
});

describe('paas-node check verdicts', () => {
  it('P1 wants herd-paas applied and this node the ready leader, tokens kept root-only', () => {
    const good = { unitState: 'active', unitResult: 'success', nodeState: 'active', controlAvailable: 'true', nodes: ['true Ready Active Leader'], tokenMode: '600' };
    assert.deepEqual(evaluateSwarmManager(good), []);
    const notApplied = evaluateSwarmManager({ unitState: 'inactive', unitResult: 'success', nodeState: 'inactive', controlAvailable: 'false', nodes: [], tokenMode: '' });
    assert.equal(notApplied.length, 3);
    assert.match(msgs(notApplied), /herd-paas\.service did not apply[\s\S]*not in a swarm \(Swarm\.LocalNodeState: inactive\)[\s\S]*worker join token/);
    const failed = evaluateSwarmManager({ ...good, unitState: 'failed', unitResult: 'exit-code', nodeState: 'inactive', tokenMode: '' });
    assert.match(msgs(failed), /state failed, result exit-code/);
    const why = evaluateSwarmManager({ ...good, unitState: 'failed', unitResult: 'exit-code', journal: 'Starting herd-paas.service\nherd-paas: docker swarm init --advertise-addr ens3: Error response from daemon: context deadline exceeded' });
    assert.match(msgs(why), /result exit-code\): Starting herd-paas\.service \| herd-paas: docker swarm init --advertise-addr ens3: Error response from daemon: context deadline exceeded/);
    assert.match(msgs(evaluateSwarmManager({ ...good, controlAvailable: 'false', nodes: [] })), /not a manager/);
    assert.match(msgs(evaluateSwarmManager({ ...good, nodes: ['true Down Active Leader'] })), /not show this node as a ready, active leader: true Down Active Leader/);
    assert.match(msgs(evaluateSwarmManager({ ...good, tokenMode: '644' })), /mode 644/);
  });

  it('P2 wants the service created and answering with the test page', () => {
    const response = 'HTTP/1.0 200 OK\nContent-type: text/html\nDate: Tue, 01 Dec 2026 03:00:00 GMT\n\nherd-qa busybox httpd\n';
    const good = { createCode: 0, createOutput: 'k3x9', replicas: '1/1', response, tasks: 'Running 20 seconds ago ' };
    assert.deepEqual(evaluateSwarmService(good), []);
    const notManager = evaluateSwarmService({ ...good, createCode: 1, response: '',
      createOutput: 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.' });
    assert.match(msgs(notManager), /service create failed \(exit 1\): Error response from daemon: This node is not a swarm manager/);
    const silent = evaluateSwarmService({ ...good, replicas: '0/1', response: '', tasks: 'Rejected 5 seconds ago No such image: localhost/herd-qa/busybox:1' });
    assert.match(msgs(silent), /did not answer on 127\.0\.0\.1:8080 \(replicas 0\/1; response: \(no output\); tasks: Rejected 5 seconds ago No such image/);
    assert.equal(evaluateSwarmService({ ...good, response: 'HTTP/1.0 404 Not Found\n\nherd-qa busybox httpd' }).length, 1);
    assert.equal(evaluateSwarmService({ ...good, response: 'HTTP/1.0 200 OK\n\nsomething else' }).length, 1);
  });
});
