import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, ticks } from '../../web/src/components/charts/scale.ts';
import { tabsFor } from '../../web/src/lib/platform-tabs.ts';
import { chooseRelease, defaultChannel, orderArches } from '../../web/src/lib/release-choice.ts';

test('axis ticks are round and reach the largest value; byte axes step in binary units', () => {
  assert.deepEqual(ticks(95), [0, 25, 50, 75, 100]);
  assert.deepEqual(ticks(8), [0, 2, 4, 6, 8]);
  assert.deepEqual(ticks(0), [0, 1]);
  const mib = 1024 ** 2;
  assert.deepEqual(ticks(95 * mib, 4, true), [0, 25, 50, 75, 100].map((n) => n * mib));
  assert.deepEqual(fit('linux-image-cloud-amd64', 10), 'linux-ima…');
  assert.equal(fit('bash', 10), 'bash');
});

test('platform tabs: what the catalogue names, what was published, and the raw disk with any disk platform', () => {
  assert.deepEqual(tabsFor(['openstack', 'ec2'], [], []).map((t) => t.id), ['kvm', 'raw', 'ec2']);
  assert.deepEqual(tabsFor(['oci'], ['oci'], []).map((t) => t.id), ['oci']);
  // a release with a VHD shows the Azure tab even when the catalogue entry no longer names Azure
  assert.deepEqual(tabsFor(['openstack'], ['qcow2', 'vhd'], ['aws']).map((t) => t.id), ['kvm', 'raw', 'ec2', 'azure']);
  const ec2 = tabsFor(['ec2'], [], []).find((t) => t.id === 'ec2')!;
  assert.equal(ec2.launch!('eu-west-1', 'ami-1#x&y'), 'https://console.aws.amazon.com/ec2/home?region=eu-west-1#LaunchInstances:ami=ami-1%23x%26y');
});

test('the release shown: newest unrevoked of the channel, or the one asked for by version', () => {
  const r = (version: string, channel: 'stable' | 'testing', revoked = false) => ({ id: version, version, channel, revokedAt: revoked ? '2026-01-01T00:00:00.000Z' : null }) as never;
  const list = [r('4', 'testing'), r('3', 'stable', true), r('2', 'stable'), r('1', 'stable')];
  assert.equal(defaultChannel(list), 'stable');
  assert.equal(chooseRelease(list, 'stable')!.version, '2');
  assert.equal(chooseRelease(list, 'stable', '3')!.version, '3');
  assert.equal(chooseRelease(list, 'stable', 'nope'), undefined);
  assert.equal(defaultChannel([r('3', 'stable', true), r('1', 'testing')]), 'testing');
  assert.equal(chooseRelease([r('3', 'stable', true)], 'stable')!.version, '3');
  assert.deepEqual(orderArches(['aarch64', 'x86_64', 'aarch64', 'armhf']), ['x86_64', 'aarch64', 'armhf']);
});
