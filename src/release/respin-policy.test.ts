import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recipeSchema } from '../recipe/schema.ts';
import type { PendingUpdate } from './pending-updates.ts';
import { respinDecision, respinPolicy, slotOnOrBefore, soakPromotionDue } from './respin-policy.ts';

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const update = (name: string, o: Partial<PendingUpdate> = {}): PendingUpdate =>
  ({ name, arch: 'amd64', installed: '1', candidate: '2', from: { uri: 'http://a', suite: 's' }, security: false, firstBoot: false, ...o });
const DEFAULTS = respinPolicy({});

describe('respin policy', () => {
  test('defaults: monthly on the first Tuesday, security at once, first-boot packages with the schedule, promoted after QA', () => {
    assert.deepEqual(DEFAULTS, { schedule: 'monthly', day: 'tuesday', security: 'immediate', firstBoot: 'scheduled', promote: 'after-qa' });
    const r = recipeSchema.parse({ name: 'x', description: 'x', distribution: { name: 'debian', release: '13' }, respin: { schedule: 'weekly', day: 'monday', 'first-boot': 'immediate' } });
    assert.deepEqual(respinPolicy(r), { schedule: 'weekly', day: 'monday', security: 'immediate', firstBoot: 'immediate', promote: 'after-qa' });
    assert.equal(recipeSchema.parse({ name: 'x', description: 'x', distribution: { name: 'debian', release: '13' } }).respin, undefined, 'no respin key: the recipe normalizes as before');
    assert.throws(() => recipeSchema.parse({ name: 'x', description: 'x', distribution: { name: 'debian', release: '13' }, respin: { schedule: 'daily' } }));
  });

  test('schedule slots, in UTC: the first Tuesday of the month, every Monday', () => {
    assert.deepEqual(slotOnOrBefore(DEFAULTS, new Date('2026-12-02T13:00:00Z')), d('2026-12-01'));
    assert.deepEqual(slotOnOrBefore(DEFAULTS, d('2026-12-01')), d('2026-12-01'), 'the slot day itself');
    assert.deepEqual(slotOnOrBefore(DEFAULTS, d('2026-11-30')), d('2026-11-03'), 'before this month\'s slot: last month\'s');
    assert.deepEqual(slotOnOrBefore(DEFAULTS, d('2027-01-04')), d('2026-12-01'), 'across the year');
    assert.deepEqual(slotOnOrBefore({ ...DEFAULTS, schedule: 'weekly', day: 'monday' }, d('2026-12-02')), d('2026-11-30'));
    assert.deepEqual(slotOnOrBefore({ ...DEFAULTS, schedule: 'weekly', day: 'sunday' }, d('2026-11-29')), d('2026-11-29'));
    assert.equal(slotOnOrBefore({ ...DEFAULTS, schedule: 'none' }, d('2026-12-02')), undefined);
  });

  test('nothing pending: never due, even long past a slot', () => {
    const r = respinDecision(DEFAULTS, { updates: [], lastRelease: d('2025-01-01'), now: d('2026-12-02') });
    assert.equal(r.due, false);
    assert.match(r.why, /no updates/);
    assert.deepEqual(r.nextSlot, d('2027-01-05'));
  });

  test('a security update: at once; with security: scheduled, it waits for the slot', () => {
    const updates = [update('curl', { security: true }), update('hello')];
    const now = d('2026-12-10');
    const r = respinDecision(DEFAULTS, { updates, lastRelease: d('2026-12-05'), now });
    assert.deepEqual([r.due, r.reason, r.updates.map((u) => u.name)], [true, 'security', ['curl']]);
    const waits = respinDecision({ ...DEFAULTS, security: 'scheduled' }, { updates, lastRelease: d('2026-12-05'), now });
    assert.deepEqual([waits.due, waits.reason], [false, undefined]);
    assert.match(waits.why, /next monthly respin/);
  });

  test('a first-boot update: with the schedule by default, at once when the policy says so', () => {
    const updates = [update('systemd', { firstBoot: true })];
    const o = { updates, lastRelease: d('2026-12-05'), now: d('2026-12-10') };
    assert.equal(respinDecision(DEFAULTS, o).due, false);
    assert.deepEqual(respinDecision({ ...DEFAULTS, firstBoot: 'immediate' }, o).reason, 'first-boot');
  });

  test('the schedule: due when a slot passed since the last release, not again after it ran; never without a schedule', () => {
    const updates = [update('hello')];
    assert.deepEqual(respinDecision(DEFAULTS, { updates, lastRelease: d('2026-11-20'), now: d('2026-12-02') }).reason, 'scheduled');
    assert.equal(respinDecision(DEFAULTS, { updates, lastRelease: new Date('2026-12-01T09:00:00Z'), now: d('2026-12-02') }).due, false);
    assert.equal(respinDecision({ ...DEFAULTS, schedule: 'none' }, { updates, lastRelease: d('2025-01-01'), now: d('2026-12-02') }).due, false);
  });

  test('promote: after-qa, manual, or a soak time; anything else is refused by the schema', () => {
    const parse = (promote: string) => recipeSchema.parse({ name: 'x', description: 'x', distribution: { name: 'debian', release: '13' }, respin: { promote } });
    assert.deepEqual([respinPolicy(parse('3d')).promote, respinPolicy(parse('3d')).soakMs], ['soak', 3 * 86_400_000]);
    assert.deepEqual([respinPolicy(parse('12h')).soakMs, respinPolicy(parse('2w')).soakMs], [12 * 3_600_000, 14 * 86_400_000]);
    assert.equal(respinPolicy(parse('manual')).promote, 'manual');
    for (const bad of ['0d', '3 days', 'soon', '30m', '-1h']) assert.throws(() => parse(bad), bad);
  });

  test('a soak promotion: a QA-passed testing release, once published that long; never untested, revoked or already stable', () => {
    const soak = { ...DEFAULTS, promote: 'soak' as const, soakMs: 3 * 86_400_000 };
    const r = { channel: 'testing', publishedAt: '2026-12-01T00:00:00.000Z', untested: false };
    assert.equal(soakPromotionDue(soak, r, d('2026-12-03')).due, false);
    assert.match(soakPromotionDue(soak, r, d('2026-12-03')).why, /until 2026-12-04T00:00:00/);
    assert.equal(soakPromotionDue(soak, r, d('2026-12-04')).due, true);
    assert.equal(soakPromotionDue(soak, { ...r, untested: true }, d('2027-01-01')).due, false);
    assert.equal(soakPromotionDue(soak, { ...r, revokedAt: '2026-12-02T00:00:00Z' }, d('2027-01-01')).due, false);
    assert.equal(soakPromotionDue(soak, { ...r, channel: 'stable' }, d('2027-01-01')).due, false);
    for (const promote of ['after-qa', 'manual'] as const) assert.equal(soakPromotionDue({ ...DEFAULTS, promote }, r, d('2027-01-01')).due, false, promote);
  });
});
