import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, parseDuration, parseTimerDuration } from './duration.ts';

test('durations: a number and a unit; timers refuse what Node would clamp to 1 ms', () => {
  assert.deepEqual(['90s', '30m', '12h', '3d', '2w'].map((d) => parseDuration(d)), [90_000, 1_800_000, 43_200_000, 259_200_000, 1_209_600_000]);
  for (const bad of ['', '0h', '1.5h', '10y', '-3d', '3 d x']) assert.throws(() => parseDuration(bad), { code: 'duration.invalid' });
  assert.equal(parseDuration('5w'), 35 * 86_400_000, 'a soak may be long: it is compared, not waited on');
  assert.equal(parseTimerDuration('24d'), 24 * 86_400_000);
  assert.ok(parseTimerDuration('24d') <= MAX_TIMER_MS);
  assert.throws(() => parseTimerDuration('4w', '--respin-every'), (e: Error & { code?: string }) => e.code === 'duration.too_long' && /--respin-every "4w"/.test(e.message));
});
