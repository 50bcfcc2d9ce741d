import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadRecipe } from '../../src/recipe/load.ts';

/**
 * What the container-host and paas-node recipes must keep, read through the real loader (extends
 * merged): the engines, AppArmor, their QA suites, and the kernel modules Docker and Swarm load, which
 * the footprint's module exclusions (inherited from base.yaml) must never remove.
 */
const recipes = resolve(import.meta.dirname, '../../recipes');
const host = loadRecipe(resolve(recipes, 'container-host.yaml')).recipe;
const paas = loadRecipe(resolve(recipes, 'paas-node.yaml')).recipe;

/** Folders under lib/modules/VERSION/kernel/ holding modules the engines load at run time. */
const DOCKER_MODULE_DIRS = [
  'fs/overlayfs', // overlay2 storage driver (docker, podman, containerd)
  'net/netfilter', // nf_tables, nft_compat, xt_* matches, conntrack, nat (iptables-nft rules of docker and netavark)
  'net/ipv4/netfilter', // iptable_nat, ipt_MASQUERADE
  'net/ipv6/netfilter',
  'net/bridge', // bridge, br_netfilter (docker0, podman0)
  'net/802', // stp, needed by bridge
  'net/llc',
  'drivers/net/veth.ko', // container network interfaces
];
/** And what Swarm mode adds: overlay networks (VXLAN) and the routing mesh (IPVS). */
const SWARM_MODULE_DIRS = ['drivers/net/vxlan', 'net/netfilter/ipvs', 'net/ipv4/udp_tunnel.ko', 'net/ipv6/ip6_udp_tunnel.ko'];

/** The exclusion that would remove a module folder or file: itself or one of its parents. */
const remover = (excludes: string[], dir: string) => {
  const d = dir.replace(/\.ko$/, '');
  return excludes.find((e) => d === e || d.startsWith(`${e}/`));
};
/** Installed: inside the allow-list (when there is one) and not excluded, as footprint-filters.ts orders it. */
const kept = (f: { 'kernel-modules-include': string[]; 'kernel-modules-exclude': string[] }, dir: string) =>
  (f['kernel-modules-include'].length === 0 || remover(f['kernel-modules-include'], dir) !== undefined)
  && remover(f['kernel-modules-exclude'], dir) === undefined;

test('the kernel modules Docker and Swarm need are kept by the footprint', () => {
  assert.ok(host.footprint['kernel-modules-include'].length > 0, 'container-host inherits the base allow-list');
  for (const dir of DOCKER_MODULE_DIRS) assert.ok(kept(host.footprint, dir), `container-host: ${dir} is not installed`);
  for (const dir of [...DOCKER_MODULE_DIRS, ...SWARM_MODULE_DIRS]) assert.ok(kept(paas.footprint, dir), `paas-node: ${dir} is not installed`);
  // the test can fail: an exclusion of a parent folder, or a folder outside the allow-list, is caught
  assert.equal(remover(['net'], 'net/bridge'), 'net');
  assert.equal(remover(['drivers/net/vxlan'], 'drivers/net/vxlan'), 'drivers/net/vxlan');
  assert.equal(remover(['net/br'], 'net/bridge'), undefined, 'a folder name prefix is not a parent');
  assert.equal(kept({ 'kernel-modules-include': ['drivers/virtio'], 'kernel-modules-exclude': [] }, 'drivers/net/veth.ko'), false);
  assert.equal(kept({ 'kernel-modules-include': ['net'], 'kernel-modules-exclude': ['net/bridge'] }, 'net/bridge'), false);
});

test('container-host: the engines, AppArmor, its own catalog block, suite, disk and budget', () => {
  for (const p of ['docker.io', 'docker-cli', 'apparmor', 'podman', 'containerd', 'netavark', 'nftables']) assert.ok(host.packages.includes(p), p);
  for (const s of ['docker.service', 'containerd.service', 'apparmor.service']) assert.ok(host.services.enable.includes(s), s);
  assert.ok(!host.services.disable.includes('docker.service'));
  assert.deepEqual(host.qa.suites, ['container-host']);
  assert.equal(host.distribution.release, '13');
  assert.deepEqual(host.catalog?.['use-cases'], ['containers']);
  for (const p of ['openstack', 'ec2', 'gce', 'azure', 'vmware', 'nocloud'] as const) assert.ok(host.catalog?.platforms.includes(p), p);
  assert.equal(host.disk.size, '4GiB');
  assert.ok(host['size-budget']?.qcow2);
});

test('paas-node: the container host plus herd-paas, its unit enabled, both suites', () => {
  for (const p of host.packages) assert.ok(paas.packages.includes(p), p);
  assert.deepEqual(paas.qa.suites, ['container-host', 'paas-node']);
  assert.deepEqual(paas.catalog?.['use-cases'], ['paas', 'containers']);
  const script = paas.files.find((f) => f.path === '/usr/local/sbin/herd-paas');
  assert.equal(script?.mode, '0755');
  const unit = paas.files.find((f) => f.path === '/etc/systemd/system/herd-paas.service');
  assert.ok(unit?.source);
  const text = readFileSync(unit.source, 'utf8');
  assert.match(text, /^ExecStart=\/usr\/local\/sbin\/herd-paas apply$/m);
  assert.match(text, /^ConditionPathExists=\/etc\/herd\/paas\.yaml$/m);
  assert.match(text, /^After=.*docker\.service/m);
  assert.ok(paas.services.enable.includes('herd-paas.service'));
});
