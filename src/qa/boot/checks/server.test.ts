import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateServerRole, parseRoleState, type RoleState } from './s01-server-role.ts';
import { evaluateServerReboot, parseServerBoot } from './s02-server-reboot.ts';
import { evaluateCockpit, parseHttp } from './s03-cockpit.ts';

// Recorded from the server image (Debian 13, QEMU, NoCloud seed) and, for the failures, from the base image.
const FRESH = `/etc/hostname 5b1f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e
/etc/hosts 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b
/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg -
/etc/cloud/cloud-init.disabled -
/etc/netplan/50-cloud-init.yaml 1111111111111111111111111111111111111111111111111111111111111111
/etc/netplan/60-herd-server.yaml -
cockpit.socket disabled`;
const DONE = `/etc/hostname 5b1f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e3a2f4e8d2f0c1e
/etc/hosts 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b
/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg 2222222222222222222222222222222222222222222222222222222222222222
/etc/cloud/cloud-init.disabled 3333333333333333333333333333333333333333333333333333333333333333
/etc/netplan/50-cloud-init.yaml -
/etc/netplan/60-herd-server.yaml 4444444444444444444444444444444444444444444444444444444444444444
cockpit.socket enabled`;
const FIRST_RUN = `herd-server-role: static hostname is already 'bios-4f2a'
herd-server-role: tell cloud-init to keep hostname and network (/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg)
herd-server-role: network configuration kept as /etc/netplan/60-herd-server.yaml (was /etc/netplan/50-cloud-init.yaml)
herd-server-role: disable cloud-init for later boots (/etc/cloud/cloud-init.disabled)
herd-server-role: enable Cockpit (cockpit.socket, port 9090)
herd-server-role: done: 'bios-4f2a' is a server; cloud-init will not run on the next boot; Cockpit: https://bios-4f2a:9090/`;
const SECOND_RUN = `herd-server-role: static hostname is already 'bios-4f2a'
herd-server-role: cloud-init already told to keep hostname and network (/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg)
herd-server-role: network configuration already kept in /etc/netplan/60-herd-server.yaml
herd-server-role: cloud-init already disabled for later boots (/etc/cloud/cloud-init.disabled)
herd-server-role: Cockpit already enabled (cockpit.socket, port 9090)
herd-server-role: done: 'bios-4f2a' is a server; cloud-init will not run on the next boot; Cockpit: https://bios-4f2a:9090/`;
const DRY = `herd-server-role: static hostname is already 'bios-4f2a'
herd-server-role: would tell cloud-init to keep hostname and network (/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg)
herd-server-role: would keep the network configuration of /etc/netplan/50-cloud-init.yaml as /etc/netplan/60-herd-server.yaml
herd-server-role: would disable cloud-init for later boots (/etc/cloud/cloud-init.disabled)
herd-server-role: would enable Cockpit (cockpit.socket, port 9090)
herd-server-role: dry run: nothing was changed`;
const HELP = 'Usage: herd-server-role [--dry-run] [--help]\n...\n  --dry-run   print what would change, change nothing';

const fresh = parseRoleState(FRESH);
const done = parseRoleState(DONE);
const good = {
  help: { code: 0, output: HELP }, dryRun: { code: 0, output: DRY }, beforeDryRun: fresh, afterDryRun: fresh,
  first: { code: 0, output: FIRST_RUN }, afterFirst: done, second: { code: 0, output: SECOND_RUN }, afterSecond: done,
};

describe('S1 herd-server-role', () => {
  it('passes a dry run that changes nothing, a run that applies every step and an idempotent second run', () => {
    assert.equal(fresh.files['/etc/cloud/cloud-init.disabled'], '');
    assert.equal(done.cockpitSocket, 'enabled');
    assert.deepEqual(evaluateServerRole(good), []);
  });

  it('networkd images: one kept file per link, the unmatched glob reads as absent; a leftover generated file fails', () => {
    const net = (ci: string, own: string) => parseRoleState(DONE
      .replace('/etc/netplan/50-cloud-init.yaml -', `/etc/systemd/network/10-cloud-init-*.network -\n${ci}`)
      .replace(/\/etc\/netplan\/60-herd-server\.yaml \w+/, own));
    const kept = net('', '/etc/systemd/network/60-herd-server-ens3.network 6666666666666666666666666666666666666666666666666666666666666666');
    assert.deepEqual(evaluateServerRole({ ...good, afterFirst: kept, afterSecond: kept }), []);
    const leftover = net('/etc/systemd/network/10-cloud-init-ens3.network 7777777777777777777777777777777777777777777777777777777777777777',
      '/etc/systemd/network/60-herd-server-ens3.network 6666666666666666666666666666666666666666666666666666666666666666');
    assert.match(evaluateServerRole({ ...good, afterFirst: leftover, afterSecond: leftover }).map((x) => x.message).join('\n'), /generated network file is still there/);
    const none = net('', '/etc/systemd/network/60-herd-server-*.network -');
    assert.match(evaluateServerRole({ ...good, afterFirst: none, afterSecond: none }).map((x) => x.message).join('\n'), /not kept in a file of its own/);
  });

  it('fails on the base image, where the command does not exist', () => {
    const missing = { code: 1, output: 'sudo: /usr/local/sbin/herd-server-role: command not found' };
    const f = evaluateServerRole({ ...good, help: missing, dryRun: missing, first: missing, second: missing, afterFirst: fresh, afterSecond: fresh });
    const text = f.map((x) => x.message).join('\n');
    assert.match(text, /--help failed/);
    assert.match(text, /the server role failed \(exit 1\)/);
    assert.match(text, /cloud-init is not disabled/);
    assert.match(text, /cockpit\.socket is disabled/);
  });

  it('fails when --dry-run changes something or a second run is not idempotent', () => {
    const changed: RoleState = { ...fresh, files: { ...fresh.files, '/etc/cloud/cloud-init.disabled': 'abc' } };
    assert.match(evaluateServerRole({ ...good, afterDryRun: changed }).map((x) => x.message).join(), /--dry-run changed the system/);
    assert.match(evaluateServerRole({ ...good, second: { code: 0, output: FIRST_RUN } }).map((x) => x.message).join(), /not idempotent/);
    const moved: RoleState = { ...done, files: { ...done.files, '/etc/netplan/60-herd-server.yaml': '5555' } };
    assert.match(evaluateServerRole({ ...good, afterSecond: moved }).map((x) => x.message).join(), /changed the files it manages/);
  });

  it('fails when Cockpit is not in the image (the command refuses to install it)', () => {
    const refused = { code: 1, output: 'herd-server-role: error: Cockpit is not installed in this image; this command installs nothing (use the Herd server image)' };
    const f = evaluateServerRole({ ...good, dryRun: refused, first: refused, second: refused, afterFirst: fresh, afterSecond: fresh });
    assert.ok(f.length >= 5, f.map((x) => x.message).join('\n'));
  });
});

const BEFORE = `boot=7d1c2b9e-1f55-4a3e-9c2e-0b8f4c7d6e5a
host=bios-4f2a
static=bios-4f2a
runs=1
status=status: done
addr=2: ens3    inet 10.0.2.15/24 metric 100 brd 10.0.2.255 scope global dynamic ens3\\       valid_lft 86391sec preferred_lft 86391sec;
route=default via 10.0.2.2 dev ens3 proto dhcp src 10.0.2.15 metric 100`;
const AFTER = BEFORE.replace('7d1c2b9e-1f55-4a3e-9c2e-0b8f4c7d6e5a', '0e9a7c55-3b1d-4a62-8f0e-6d2c1b9a8f77').replace('status: done', 'status: disabled');

describe('S2 server reboot', () => {
  it('passes when cloud-init stayed off and hostname and network came back', () => {
    assert.deepEqual(evaluateServerReboot(parseServerBoot(BEFORE), parseServerBoot(AFTER)), []);
  });

  it('fails when cloud-init ran again (the base image, no role applied)', () => {
    const again = AFTER.replace('runs=1', 'runs=2').replace('status: disabled', 'status: done');
    const f = evaluateServerReboot(parseServerBoot(BEFORE), parseServerBoot(again)).map((x) => x.message).join('\n');
    assert.match(f, /cloud-init ran again after the reboot \(1 runs before, 2 after\)/);
    assert.match(f, /cloud-init status is not disabled after the reboot: status: done/);
  });

  it('on a network without a router (QA\'s restricted QEMU network) no default route before or after is no finding', () => {
    const noRoute = (t: string) => t.replace(/route=.*/, 'route=');
    assert.deepEqual(evaluateServerReboot(parseServerBoot(noRoute(BEFORE)), parseServerBoot(noRoute(AFTER))), []);
  });

  it('fails on a lost hostname, no network or no actual reboot', () => {
    const broken = AFTER.replace(/host=.*/, 'host=localhost').replace(/static=.*/, 'static=localhost').replace(/addr=.*/, 'addr=').replace(/route=.*/, 'route=');
    assert.equal(evaluateServerReboot(parseServerBoot(BEFORE), parseServerBoot(broken)).length, 4);
    assert.match(evaluateServerReboot(parseServerBoot(BEFORE), parseServerBoot(BEFORE.replace('status: done', 'status: disabled')))[0]!.message, /did not actually reboot/);
  });
});

describe('S3 Cockpit', () => {
  const LOGIN = 'HTTP 200\n<!DOCTYPE html>\n<html>\n<head>\n    <title>Loading...</title>\n    <meta charset="utf-8">\n    <meta name="viewport" content="width=device-width, initial-scale=1.0">\n    <link href="cockpit/static/login.css" type="text/css" rel="stylesheet">';
  it('passes on the login page from an enabled, active socket', () => {
    assert.deepEqual(evaluateCockpit({ socketEnabled: 'enabled', socketActive: 'active', ...parseHttp(LOGIN) }), []);
  });
  it('fails when nothing listens (base image: no cockpit.socket)', () => {
    const refused = parseHttp("HTTP 0\nConnectionRefusedError(111, 'Connection refused')");
    assert.equal(refused.status, 0);
    const f = evaluateCockpit({ socketEnabled: 'Failed to get unit file state for cockpit.socket: No such file or directory', socketActive: 'inactive', ...refused });
    assert.equal(f.length, 3);
    assert.match(f[2]!.message, /got no answer: ConnectionRefusedError/);
  });
  it('fails when something else answers on 9090', () => {
    assert.match(evaluateCockpit({ socketEnabled: 'enabled', socketActive: 'active', status: 200, body: 'hello' })[0]!.message, /not with Cockpit's login page/);
  });
});
