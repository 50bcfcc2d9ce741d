import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gptLayout, sfdiskScript, GPT_TYPES } from './gpt-layout.ts';
import { sh } from '../../../test/helpers/host.ts';

const ids = { diskGuid: 'd', rootPartUuid: 'r', biosPartUuid: 'b', espPartUuid: 'e' };

test('hybrid layout: BIOS boot at 1 MiB, ESP at 4 MiB, root from 128 MiB to 1 MiB before the end', () => {
  const p = gptLayout(2 * 1024 ** 3, ['bios', 'uefi'], ids);
  assert.deepEqual(p.map((x) => [x.number, x.start, x.sectors]), [[14, 2048, 6144], [15, 8192, 253952], [1, 262144, 4194304 - 262144 - 2048]]);
  assert.equal(p.at(-1)!.type, GPT_TYPES.root);
});

test('UEFI-only and BIOS-only disks leave out the other boot partition', () => {
  assert.deepEqual(gptLayout(2 ** 30, ['uefi'], ids).map((x) => x.number), [15, 1]);
  assert.deepEqual(gptLayout(2 ** 30, ['bios'], ids).map((x) => x.number), [14, 1]);
});

test('sfdisk script names partitions by number and pins every GUID', () => {
  const s = sfdiskScript('/x/disk.raw', 'abcd', gptLayout(2 ** 30, ['bios'], ids));
  assert.match(s, /^label-id: ABCD$/m);
  assert.match(s, /^\/x\/disk\.raw14 : start=2048, size=6144, type=21686148-6449-6E6F-744E-656564454649, uuid=B, name="bios"$/m);
  assert.match(s, /^\/x\/disk\.raw1 : start=262144,/m);
});

test('each partition type is the one sfdisk itself names for its role (BIOS boot, EFI System, Linux root x86-64)', () => {
  const names = new Map(sh(['sfdisk', '--label', 'gpt', '--list-types']).split('\n').map((l) => [l.slice(0, 36).trim(), l.slice(36).trim()]));
  assert.equal(names.get(GPT_TYPES.bios), 'BIOS boot');
  assert.equal(names.get(GPT_TYPES.esp), 'EFI System');
  assert.equal(names.get(GPT_TYPES.root), 'Linux root (x86-64)');
});
